/**
 * The Temporal Schedule that runs strandedBulkSweepWorkflow every few minutes. Created by the worker at start
 * if missing (every worker tries; the first one wins), so a deployment needs no extra step, and operable like
 * any schedule in the Web UI (pause, trigger now).
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { StrandedBulkSweepInput } from '../../workflows/strandedBulkSweepWorkflow';

export const STRANDED_BULK_SWEEP_SCHEDULE_ID = 'stranded-bulk-sweep';

export async function ensureStrandedBulkSweepSchedule(
  client: Client,
  taskQueue: string,
  every: Duration = '5 minutes',
): Promise<'created' | 'exists'> {
  const input: StrandedBulkSweepInput = {};
  try {
    await client.schedule.create({
      scheduleId: STRANDED_BULK_SWEEP_SCHEDULE_ID,
      spec: { intervals: [{ every }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'strandedBulkSweepWorkflow',
        workflowId: STRANDED_BULK_SWEEP_SCHEDULE_ID,
        taskQueue,
        args: [input],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return 'created';
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return 'exists';
    throw error;
  }
}
