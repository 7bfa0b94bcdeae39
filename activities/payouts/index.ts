/**
 * The payout concern's activities: a bulk's bookkeeping, a line's discover-quote-transfer steps, and the decisions on
 * a line held for its payee's name. Payout workflows proxy these and nothing else.
 */
import type { ActivityDependencies } from '../dependencies';
import { createBulkActivities } from './bulkActivities';
import { createHoldActivities } from './holdActivities';
import { createTransferActivities } from './transferActivities';

export function createPayoutActivities(deps: ActivityDependencies) {
  return {
    ...createBulkActivities(deps),
    ...createTransferActivities(deps),
    ...createHoldActivities(deps),
  };
}

export type PayoutActivities = ReturnType<typeof createPayoutActivities>;
