/**
 * The one way an activity announces the webhook deliveries its change recorded: once the change's transaction has
 * committed, it hands them to the starter built here, which starts their workflows (never throws; without a Temporal
 * client, the webhook delivery sweep starts them).
 */
import { logger } from '../src/logging/logger';
import type { RecordedDeliveries } from '../src/webhooks/store/eventStore';
import { startWebhookDeliveries } from '../src/webhooks/webhookClient';
import type { ActivityDependencies } from './dependencies';

export function webhookDeliveryStarter(deps: ActivityDependencies): (deliveries: RecordedDeliveries) => Promise<void> {
  return async (deliveries) => {
    if (deliveries.length === 0 || !deps.temporal) return;
    await startWebhookDeliveries(
      deps.db,
      {
        temporal: deps.temporal,
        retry: deps.webhooks?.retry,
        log: deps.log ?? logger,
      },
      deliveries,
    );
  };
}
