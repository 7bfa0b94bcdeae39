/**
 * Benchmark only (bench/temporalFloor.ts): the payout's workflow skeleton with no work in it, to measure what
 * Temporal itself costs per line on this machine. Two line shapes:
 *   - emptyLineWorkflow: a workflow per line that only reports back to its bulk (the least a workflow per line costs);
 *   - skeletonLineWorkflow: the real line's Temporal steps (two local activities, one activity, a search attribute
 *     upsert, the report) around activities that do nothing, so the gap to the real bulk is our own I/O.
 * The bulk side is the real one's sliding window, without pages or decisions.
 */
import {
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { PAYOUT_STATUS } from '../workflows/definitions';
import type { floorActivities } from './floorActivities';

const lineDone = defineSignal<[number]>('lineDone');

const local = proxyLocalActivities<typeof floorActivities>({ startToCloseTimeout: '1 minute' });
const remote = proxyActivities<typeof floorActivities>({ startToCloseTimeout: '1 minute' });

export type LineShape = 'emptyLineWorkflow' | 'skeletonLineWorkflow';

export async function floorBulkWorkflow(lines: number, concurrency: number, shape: LineShape): Promise<void> {
  const inFlight = new Set<number>();
  setHandler(lineDone, (lineNumber) => void inFlight.delete(lineNumber));
  const reportTo = workflowInfo().workflowId;
  for (let lineNumber = 1; lineNumber <= lines; lineNumber++) {
    await condition(() => inFlight.size < concurrency);
    inFlight.add(lineNumber);
    // Not awaited, as in the real bulk: the starts of a window go out together in one workflow task.
    void startChild(shape, {
      workflowId: `${reportTo}-line-${lineNumber}`,
      args: [reportTo, lineNumber],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [{ key: PAYOUT_STATUS, value: 'PENDING' }],
    });
  }
  await condition(() => inFlight.size === 0);
}

export async function emptyLineWorkflow(reportTo: string, lineNumber: number): Promise<void> {
  await getExternalWorkflowHandle(reportTo).signal(lineDone, lineNumber);
}

export async function skeletonLineWorkflow(reportTo: string, lineNumber: number): Promise<void> {
  await local.nothing();
  upsertSearchAttributes([{ key: PAYOUT_STATUS, value: 'PROCESSING' }]);
  await local.nothing();
  await remote.nothing();
  upsertSearchAttributes([{ key: PAYOUT_STATUS, value: 'COMPLETED' }]);
  await getExternalWorkflowHandle(reportTo).signal(lineDone, lineNumber);
}
