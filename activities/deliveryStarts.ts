/**
 * The one way an activity announces the webhook deliveries its change recorded: it runs the change through
 * `announce`, which gives the change a list for the deliveries its transaction records and, once the change has
 * returned (its transaction committed), starts their workflows (never throws; without a Temporal client, the webhook
 * delivery sweep starts them).
 */
import { logger } from '../src/logging/logger';
import type { RecordedDeliveries } from '../src/webhooks/store/eventStore';
import { startWebhookDeliveries } from '../src/webhooks/webhookClient';
import type { ActivityDependencies } from './dependencies';

export type Announce = <T>(change: (deliveries: RecordedDeliveries) => Promise<T>) => Promise<T>;

export function deliveryAnnouncer(deps: ActivityDependencies): Announce {
  return async (change) => {
    const deliveries: RecordedDeliveries = [];
    const result = await change(deliveries);
    await startDeliveries(deps, deliveries);
    return result;
  };
}

async function startDeliveries(deps: ActivityDependencies, deliveries: RecordedDeliveries): Promise<void> {
  if (deliveries.length === 0 || !deps.temporal) return;
  await startWebhookDeliveries(
    deps.db,
    { temporal: deps.temporal, retry: deps.webhooks?.retry, log: deps.log ?? logger },
    deliveries,
  );
}
