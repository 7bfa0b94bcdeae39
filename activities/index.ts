/**
 * The activities the payout worker registers: all the I/O of paying a bulk (Postgres and the Mojaloop scheme
 * adapter). Dependencies are injected, so tests and the worker's main build them the same way.
 */
import { createBulkActivities } from './bulkActivities';
import type { ActivityDependencies } from './dependencies';
import { createHoldActivities } from './holdActivities';
import { createOperatorActivities } from './operatorActivities';
import { createPensionRunActivities } from './pensionRunActivities';
import { createStrandedBulkActivities } from './strandedBulkActivities';
import { createTransferActivities } from './transferActivities';
import { createWebhookActivities } from './webhookActivities';

export type {
  ActivityDependencies,
  PayoutAdapter,
  PayoutSettings,
  PensionSettings,
  WebhookSettings,
} from './dependencies';
export type { PeriodBulkInput } from './pensionRunActivities';
export type { BulkRun, DiscoveryStepResult, FinalStepResult, QuoteStepResult, StepResult } from './results';

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
