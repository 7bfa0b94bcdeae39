/**
 * Everything of the webhook concern that crosses the Temporal boundary: the delivery workflow's id, type, input,
 * retry and outcome, and the failure type of a refused address. Read by its workflows, activities and clients. No I/O.
 */

/**
 * How a delivery's attempts are retried: the configured one (WEBHOOK_RETRY_*, WEBHOOK_DELIVERY_BUDGET_HOURS), or the
 * workflow's default (workflows/webhooks/webhookDeliveryWorkflow.ts) for a delivery started without one.
 */
export interface WebhookRetry {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  /** The whole delivery's budget (schedule-to-close), after which it ends FAILED. */
  budgetMs: number;
}

export interface WebhookDeliveryInput {
  deliveryId: number;
  retry?: WebhookRetry;
}

/** The failure type of an attempt the address rules refused: not retried (the address is not ours to reach). */
export const WEBHOOK_ADDRESS_REFUSED = 'WebhookAddressRefused';

export const workflowIdForWebhookDelivery = (deliveryId: number): string => `webhook-delivery-${deliveryId}`;

export type WebhookDeliveryOutcome = 'DELIVERED' | 'STOPPED' | 'FAILED';

/** The delivery workflow as the API and the outbox start it, by name (recorded in histories), without its code. */
export type WebhookDeliveryWorkflow = (input: WebhookDeliveryInput) => Promise<WebhookDeliveryOutcome>;
