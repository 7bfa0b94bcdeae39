/**
 * The activities the payout worker registers: all the I/O of paying a bulk (Postgres and the Mojaloop scheme
 * adapter). Dependencies are injected, so tests and the worker's main build them the same way.
 */
import { createBulkActivities } from './payouts/bulkActivities';
import type { ActivityDependencies } from './dependencies';
import { createHoldActivities } from './payouts/holdActivities';
import { createOperatorActivities } from './operations/operatorActivities';
import { createPensionRunActivities } from './pensions/pensionRunActivities';
import { createStrandedBulkActivities } from './operations/strandedBulkActivities';
import { createTransferActivities } from './payouts/transferActivities';
import { createWebhookActivities } from './webhooks/webhookActivities';

export type {
  ActivityDependencies,
  PayoutAdapter,
  PayoutSettings,
  PensionSettings,
  WebhookSettings,
} from './dependencies';
export type { PeriodBulkInput } from './pensions/pensionRunActivities';
export type { BulkRun, DiscoveryStepResult, FinalStepResult, QuoteStepResult, StepResult } from './payouts/stepResults';

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createBulkActivities(deps),
    ...createTransferActivities(deps),
    ...createHoldActivities(deps),
    ...createPensionRunActivities(deps),
    ...createStrandedBulkActivities(deps),
    ...createOperatorActivities(deps),
    ...createWebhookActivities(deps),
  };
}

export type PayoutActivities = ReturnType<typeof createActivities>;
