/**
 * The Temporal Schedule that runs webhookDeliverySweepWorkflow every minute (by default), the backstop that starts
 * deliveries whose workflow was not started after their commit. Created by the worker at start if missing, like
 * the stranded-bulk sweep (src/worker/strandedBulkSweepSchedule.ts), and operable in the Web UI.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { WebhookDeliverySweepInput } from '../../workflows/webhookDeliverySweepWorkflow';

const WEBHOOK_DELIVERY_SWEEP_SCHEDULE_ID = 'webhook-delivery-sweep';

export async function ensureWebhookDeliverySweepSchedule(
  client: Client,
  taskQueue: string,
  every: Duration = '1 minute',
): Promise<'created' | 'exists'> {
  const input: WebhookDeliverySweepInput = {};
  try {
    await client.schedule.create({
      scheduleId: WEBHOOK_DELIVERY_SWEEP_SCHEDULE_ID,
      spec: { intervals: [{ every }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'webhookDeliverySweepWorkflow',
        workflowId: WEBHOOK_DELIVERY_SWEEP_SCHEDULE_ID,
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
