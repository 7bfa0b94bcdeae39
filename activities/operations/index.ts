/** What operators start from the Temporal Web UI or CLI: retrying a bulk's failed lines, sweeping stranded bulks. */
import type { ActivityDependencies } from '../dependencies';
import { createOperatorActivities } from './operatorActivities';
import { createStrandedBulkActivities } from './strandedBulkActivities';

export function createOperationActivities(deps: ActivityDependencies) {
  return {
    ...createOperatorActivities(deps),
    ...createStrandedBulkActivities(deps),
  };
}

export type OperationActivities = ReturnType<typeof createOperationActivities>;
