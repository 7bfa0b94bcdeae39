/**
 * The Temporal Schedules of the worker's backstop sweeps: the stranded-bulk sweep (uploads whose workflow never
 * started) and the webhook delivery sweep (deliveries whose workflow was not started after their commit). Created
 * by the worker at start if missing (every worker tries; the first one wins), so a deployment needs no extra step,
 * and operable like any schedule in the Web UI (pause, trigger now). Each run is skipped while the last still runs.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Duration } from '@temporalio/common';

export interface Sweep {
  /** Also the workflow id of each run. */
  scheduleId: string;
  workflowType: 'strandedBulkSweepWorkflow' | 'webhookDeliverySweepWorkflow';
}

export const STRANDED_BULK_SWEEP: Sweep = {
  scheduleId: 'stranded-bulk-sweep',
  workflowType: 'strandedBulkSweepWorkflow',
};
export const WEBHOOK_DELIVERY_SWEEP: Sweep = {
  scheduleId: 'webhook-delivery-sweep',
  workflowType: 'webhookDeliverySweepWorkflow',
};

export async function ensureSweepSchedule(
  client: Client,
  sweep: Sweep,
  taskQueue: string,
  every: Duration,
): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: sweep.scheduleId,
      spec: { intervals: [{ every }] },
      action: {
        type: 'startWorkflow',
        workflowType: sweep.workflowType,
        workflowId: sweep.scheduleId,
        taskQueue,
        // Both sweeps take an empty input: what they look for is in the database.
        args: [{}],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return 'created';
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return 'exists';
    throw error;
  }
}
