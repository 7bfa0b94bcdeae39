/** Every route the API serves, in one list: mounted by src/api/app.ts, described by src/api/openapiDocument.ts. */
import type { RouteDefinition } from './http/routeDefinition';
import { accountRoutes } from './routes/accounts';
import { adminRoutes } from './routes/admin';
import { authRoutes } from './routes/auth';
import { bulkReportRoutes } from './routes/bulkReports';
import { bulkTransferRoutes } from './routes/bulkTransfers';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { pensionRollRoutes } from './routes/pensionRoll';
import { pensionRunRoutes } from './routes/pensionRuns';

export const ROUTES: readonly RouteDefinition[] = [
  ...healthRoutes,
  ...metricsRoutes,
  ...authRoutes,
  ...adminRoutes,
  ...accountRoutes,
  ...bulkTransferRoutes,
  ...bulkReportRoutes,
  ...pensionRollRoutes,
  ...pensionRunRoutes,
  ...docsRoutes,
];
