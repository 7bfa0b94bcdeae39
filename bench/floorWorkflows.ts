/**
 * Benchmark only (bench/temporalFloor.ts): the payout's workflow skeleton with no work in it, to measure what
 * Temporal itself costs per line on this machine. Two line shapes:
 *   - emptyLineWorkflow: a workflow per line that does nothing, its result awaited by its bulk (the least a
 *     workflow per line costs);
 *   - skeletonLineWorkflow: the real line's Temporal steps (two local activities, one activity, the final
 *     PayoutStatus upsert) around activities that do nothing, so the gap to the real bulk is our own I/O.
 * The bulk side is the real one's sliding window, started PROCESSING and awaited as the real one does, without
 * pages, continue-as-new or decisions.
 */
import {
  condition,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { PAYOUT_STATUS } from '../src/payouts/contract';
import type { floorActivities } from './floorActivities';

const local = proxyLocalActivities<typeof floorActivities>({ startToCloseTimeout: '1 minute' });
const remote = proxyActivities<typeof floorActivities>({ startToCloseTimeout: '1 minute' });

export type LineShape = 'emptyLineWorkflow' | 'skeletonLineWorkflow';

export async function floorBulkWorkflow(lines: number, concurrency: number, shape: LineShape): Promise<void> {
  const inFlight = new Set<number>();
  const bulkId = workflowInfo().workflowId;
  for (let lineNumber = 1; lineNumber <= lines; lineNumber++) {
    await condition(() => inFlight.size < concurrency);
    inFlight.add(lineNumber);
    // Not awaited, as in the real bulk: the starts of a window go out together in one workflow task.
    void startChild(shape, {
      workflowId: `${bulkId}-line-${lineNumber}`,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [{ key: PAYOUT_STATUS, value: 'PROCESSING' }],
    })
      .then((child) => child.result())
      .finally(() => inFlight.delete(lineNumber));
  }
  await condition(() => inFlight.size === 0);
}

export async function emptyLineWorkflow(): Promise<void> {}

export async function skeletonLineWorkflow(): Promise<void> {
  await local.nothing();
  await local.nothing();
  await remote.nothing();
  upsertSearchAttributes([{ key: PAYOUT_STATUS, value: 'COMPLETED' }]);
}
