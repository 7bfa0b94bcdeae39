/**
 * The I/O of webhook deliveries: one attempt (send, record; throw to have Temporal retry), giving up once the
 * retry budget is spent (the delivery FAILED, its endpoint disabled and the organization's users told), and the
 * sweep's reads.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { buildConfig } from '../../src/config';
import { logger } from '../../src/logging/logger';
import { sendMail } from '../../src/mail/mailer';
import { webhookDisabledMail } from '../../src/mail/webhookDisabledMail';
import { sendWebhook } from '../../src/webhooks/deliveryHttpClient';
import {
  deliveryState,
  disableEndpoint,
  type DisabledEndpoint,
  endDelivery,
  endpointOfDelivery,
  listUnstartedDeliveries,
  loadDeliveryToSend,
  markDeliveriesStarted,
  organizationRecipients,
  recordDeliveryAttempt,
} from '../../src/webhooks/store/deliveryStore';
import { WEBHOOK_ADDRESS_REFUSED, type WebhookRetry } from '../../src/webhooks/contract';
import type { ActivityDependencies, WebhookSettings } from '../dependencies';

/** The configuration's defaults, read without the environment: the worker passes the configured values. */
const DEFAULTS = buildConfig({}).webhooks;

function settingsOf(
  deps: ActivityDependencies,
): Required<Pick<WebhookSettings, 'addressPolicy' | 'timeoutMs' | 'disableAfterMs'>> & WebhookSettings {
  return {
    addressPolicy: DEFAULTS.addressPolicy,
    timeoutMs: DEFAULTS.timeoutMs,
    disableAfterMs: DEFAULTS.disableAfterMs,
    ...deps.webhooks,
  };
}

export function createWebhookActivities(deps: ActivityDependencies) {
  const { db } = deps;
  const settings = settingsOf(deps);
  const log = deps.log ?? logger;

  /** One attempt. Returns how the delivery ended; throws when it failed (Temporal retries it). */
  async function deliverWebhook(deliveryId: number): Promise<'DELIVERED' | 'STOPPED' | 'FAILED'> {
    const delivery = await loadDeliveryToSend(db, deliveryId);
    if (!delivery) throw ApplicationFailure.nonRetryable(`Webhook delivery ${deliveryId} does not exist`, 'NotFound');
    if (delivery.state !== 'PENDING') return delivery.state;
    await markDeliveriesStarted(db, [deliveryId]);
    if (!delivery.endpoint.live) {
      await endDelivery(db, deliveryId, 'STOPPED', 'its endpoint was disabled or deleted');
      return 'STOPPED';
    }
    const message = {
      url: delivery.endpoint.url,
      secret: delivery.endpoint.secret,
      eventId: delivery.eventId,
      body: delivery.body,
    };
    const attempt = await sendWebhook(message, settings);
    const { failingSince } = await recordDeliveryAttempt(db, { deliveryId, endpointId: delivery.endpoint.id }, attempt);
    if (attempt.error === null) return 'DELIVERED';
    log.info(
      { deliveryId, eventId: delivery.eventId, httpStatus: attempt.httpStatus, error: attempt.error },
      'webhook attempt failed',
    );
    if (failingSince !== null && Date.now() - failingSince.getTime() >= settings.disableAfterMs) {
      await disableAndTell(delivery.endpoint.id, 'no event accepted for three days');
      return 'STOPPED';
    }
    if (attempt.refused) throw ApplicationFailure.nonRetryable(attempt.error, WEBHOOK_ADDRESS_REFUSED);
    throw ApplicationFailure.retryable(attempt.error, 'WebhookDeliveryFailed');
  }

  /** The retry budget is spent (or the address refused): the delivery ends FAILED, its endpoint disabled if asked. */
  async function giveUpWebhookDelivery(deliveryId: number, decision: { disableEndpoint: boolean }): Promise<void> {
    if ((await deliveryState(db, deliveryId)) !== 'PENDING') return;
    await endDelivery(
      db,
      deliveryId,
      'FAILED',
      decision.disableEndpoint ? 'retried for three days' : 'address refused',
    );
    const endpointId = decision.disableEndpoint ? await endpointOfDelivery(db, deliveryId) : null;
    if (endpointId !== null) await disableAndTell(endpointId, 'a delivery was retried for three days without success');
  }

  async function disableAndTell(endpointId: number, reason: string): Promise<void> {
    const disabled = await disableEndpoint(db, endpointId, reason);
    if (disabled) await tellOrganization(disabled);
  }

  /** Best effort: the endpoint is disabled whether or not a mail goes out; a mail that fails is logged. */
  async function tellOrganization(endpoint: DisabledEndpoint): Promise<void> {
    if (!settings.mail) {
      log.warn({ endpointId: endpoint.id }, 'webhook endpoint disabled; no mail settings to tell its organization');
      return;
    }
    const mail = settings.mail;
    for (const user of await organizationRecipients(db, endpoint.organizationId)) {
      const message = webhookDisabledMail({
        email: user.email,
        firstName: user.first_name,
        url: endpoint.url,
        reason: endpoint.reason,
        consoleUrl: settings.consoleUrl ?? '',
      });
      await sendMail(mail, message).catch((error: unknown) =>
        log.error({ err: error, endpointId: endpoint.id }, 'could not mail that a webhook endpoint was disabled'),
      );
    }
    log.warn({ endpointId: endpoint.id, organizationId: endpoint.organizationId }, 'webhook endpoint disabled');
  }

  async function listUnstartedWebhookDeliveries(query: {
    unstartedForSeconds: number;
    limit: number;
  }): Promise<{ deliveryIds: number[]; retry?: WebhookRetry }> {
    const deliveryIds = await listUnstartedDeliveries(db, query.unstartedForSeconds, query.limit);
    return { deliveryIds, ...(settings.retry ? { retry: settings.retry } : {}) };
  }

  async function markWebhookDeliveriesStarted(deliveryIds: number[]): Promise<void> {
    await markDeliveriesStarted(db, deliveryIds);
  }

  return { deliverWebhook, giveUpWebhookDelivery, listUnstartedWebhookDeliveries, markWebhookDeliveriesStarted };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
