/**
 * Starting delivery workflows once the transaction that recorded the deliveries has committed (by the activity
 * that made the change, or the API for a test event). Best effort and never throwing: the change is committed
 * whatever happens here, and the `webhook-delivery-sweep` schedule starts within a minute or two whatever could
 * not be started now. A delivery's workflow id is derived from its id and never reused, so starting twice is harmless.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { TemporalHandle } from '../clients/temporal';
import { type WebhookDeliveryWorkflow, type WebhookRetry, workflowIdForWebhookDelivery } from './contract';
import { markDeliveriesStarted } from './store/deliveryStore';

export interface DeliveryStarter {
  temporal: { handle: TemporalHandle; taskQueue: string };
  /** config().webhooks.retry, passed to each delivery's workflow; the workflow's default when absent. */
  retry?: WebhookRetry;
  log: Logger;
}

/** Starts at once, per batch. */
const PARALLEL_STARTS = 20;

export async function startWebhookDeliveries(
  knex: Knex,
  starter: DeliveryStarter,
  deliveryIds: readonly number[],
): Promise<void> {
  const started: number[] = [];
  for (let first = 0; first < deliveryIds.length; first += PARALLEL_STARTS) {
    const batch = deliveryIds.slice(first, first + PARALLEL_STARTS);
    const outcomes = await Promise.all(batch.map((deliveryId) => startOne(starter, deliveryId)));
    started.push(...batch.filter((_, index) => outcomes[index]));
  }
  await markDeliveriesStarted(knex, started).catch((error: unknown) =>
    starter.log.warn({ err: error }, 'webhook deliveries started but not marked; the sweep will find them started'),
  );
}

/** True when its workflow runs (started now or before). */
async function startOne(starter: DeliveryStarter, deliveryId: number): Promise<boolean> {
  try {
    await starter.temporal.handle.client.workflow.start<WebhookDeliveryWorkflow>('webhookDeliveryWorkflow', {
      workflowId: workflowIdForWebhookDelivery(deliveryId),
      taskQueue: starter.temporal.taskQueue,
      args: [{ deliveryId, ...(starter.retry ? { retry: starter.retry } : {}) }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `Webhook delivery ${deliveryId}`,
    });
    return true;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return true;
    starter.log.warn({ err: error, deliveryId }, 'could not start a webhook delivery; the sweep will');
    return false;
  }
}
