/** Every route the API serves, in one list: mounted by src/api/app.ts, described by src/api/apiDocument.ts. */
import type { RouteDefinition } from './http/routeDefinition';
import { accountRoutes } from './routes/accounts';
import { adminAccountRoutes } from './routes/adminAccounts';
import { adminAuditRoutes } from './routes/adminAudit';
import { adminOrganizationRoutes } from './routes/adminOrganizations';
import { adminUserRoutes } from './routes/adminUsers';
import { authRoutes } from './routes/auth';
import { bulkDecisionRoutes } from './routes/bulkDecisions';
import { bulkReportRoutes } from './routes/bulkReports';
import { bulkTransferRoutes } from './routes/bulkTransfers';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { heldLineRoutes } from './routes/heldLines';
import { metricsRoutes } from './routes/metrics';
import { organizationUserRoutes } from './routes/organizationUsers';
import { pensionRollRoutes } from './routes/pensionRoll';
import { pensionRunRoutes } from './routes/pensionRuns';
import { webhookRoutes } from './routes/webhooks';

export const ROUTES: readonly RouteDefinition[] = [
  ...healthRoutes,
  ...metricsRoutes,
  ...authRoutes,
  ...adminUserRoutes,
  ...adminOrganizationRoutes,
  ...adminAccountRoutes,
  ...adminAuditRoutes,
  ...organizationUserRoutes,
  ...accountRoutes,
  ...bulkTransferRoutes,
  ...bulkDecisionRoutes,
  ...heldLineRoutes,
  ...bulkReportRoutes,
  ...pensionRollRoutes,
  ...pensionRunRoutes,
  ...webhookRoutes,
  ...docsRoutes,
];
