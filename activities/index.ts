/**
 * The activities the worker registers: every concern's I/O (payouts, pension runs, operations, webhooks), each
 * concern's workflows proxying only their own. Dependencies are injected, so tests and the worker's main build them
 * the same way.
 */
import type { ActivityDependencies } from './dependencies';
import { createOperationActivities } from './operations';
import { createPayoutActivities } from './payouts';
import { createPensionRunActivities } from './pensions/pensionRunActivities';
import { createWebhookActivities } from './webhooks/webhookActivities';

export type {
  ActivityDependencies,
  PayoutAdapter,
  PayoutSettings,
  PensionSettings,
  WebhookSettings,
} from './dependencies';

/** Every concern's activities, registered by one worker on one task queue (their names are all distinct). */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createPayoutActivities(deps),
    ...createPensionRunActivities(deps),
    ...createOperationActivities(deps),
    ...createWebhookActivities(deps),
  };
}
