/**
 * The backstop of webhook deliveries: starts the workflow of each delivery recorded over a minute ago whose
 * workflow was never started (the process that committed it stopped before starting it, or Temporal was
 * unreachable then). Run every minute by the Temporal Schedule `webhook-delivery-sweep`
 * (src/worker/sweepSchedules.ts). Safe at any time: a delivery's workflow id is derived from its
 * id and never reused, so nothing is delivered by two workflows.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { WebhookActivities } from '../../activities/webhooks/webhookActivities';
import { workflowIdForWebhookDelivery } from '../../src/webhooks/contract';
import { webhookDeliveryWorkflow } from './webhookDeliveryWorkflow';

const database = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export interface WebhookDeliverySweepInput {
  /** Default 60: a delivery is normally started a moment after its commit. */
  unstartedForSeconds?: number;
}

/** Deliveries started per sweep; the next sweep takes the rest. */
const BATCH = 200;

export async function webhookDeliverySweepWorkflow(
  input: WebhookDeliverySweepInput = {},
): Promise<{ started: number[] }> {
  const { deliveryIds, retry } = await database.listUnstartedWebhookDeliveries({
    unstartedForSeconds: input.unstartedForSeconds ?? 60,
    limit: BATCH,
  });
  const started: number[] = [];
  const found: number[] = [];
  for (const deliveryId of deliveryIds) {
    try {
      await startChild(webhookDeliveryWorkflow, {
        workflowId: workflowIdForWebhookDelivery(deliveryId),
        args: [{ deliveryId, ...(retry ? { retry } : {}) }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        staticSummary: `Webhook delivery ${deliveryId} (started by the webhook delivery sweep)`,
      });
      started.push(deliveryId);
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      found.push(deliveryId);
    }
  }
  await database.markWebhookDeliveriesStarted([...started, ...found]);
  return { started };
}
