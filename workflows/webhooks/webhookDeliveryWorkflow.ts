/**
 * One webhook delivery (one event to one endpoint), by Temporal: the activity makes one attempt and throws when it
 * fails, and Temporal retries it with backoff for up to three days (the Web UI shows each attempt's failure). One
 * workflow per delivery, under a deterministic id, so a slow or dead endpoint only ever holds its own workflows,
 * never a payout's. Once the retry budget is spent (or the address was refused for good) the delivery ends FAILED
 * and, unless the address was refused, its endpoint is disabled and the organization told.
 */
import { ActivityFailure, type ActivityOptions, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../../activities/webhooks/webhookActivities';
import {
  WEBHOOK_ADDRESS_REFUSED,
  type WebhookDeliveryInput,
  type WebhookDeliveryOutcome,
  type WebhookRetry,
} from '../../src/webhooks/contract';

/** Production's retry: 10 s doubling to at most an hour between attempts, for three days. */
const DEFAULT_WEBHOOK_RETRY: WebhookRetry = {
  initialIntervalMs: 10_000,
  maximumIntervalMs: 3_600_000,
  budgetMs: 3 * 24 * 3_600_000,
};

/** The delivery attempt's options, named: its whole retry budget is the schedule-to-close timeout. */
function webhookAttemptOptions(retry: WebhookRetry): ActivityOptions {
  return {
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: retry.budgetMs,
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: retry.maximumIntervalMs,
      nonRetryableErrorTypes: [WEBHOOK_ADDRESS_REFUSED],
    },
  };
}

const bookkeeping = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<WebhookDeliveryOutcome> {
  const attempts = proxyActivities<WebhookActivities>(webhookAttemptOptions(input.retry ?? DEFAULT_WEBHOOK_RETRY));
  try {
    return await attempts.deliverWebhook(input.deliveryId);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const refused = error.cause instanceof ApplicationFailure && error.cause.type === WEBHOOK_ADDRESS_REFUSED;
    await bookkeeping.giveUpWebhookDelivery(input.deliveryId, { disableEndpoint: !refused });
    return 'FAILED';
  }
}
