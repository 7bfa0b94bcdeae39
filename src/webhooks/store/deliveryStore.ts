/**
 * The database side of delivering: what one delivery sends and to where, each attempt's record, a delivery's end
 * (DELIVERED, STOPPED because its endpoint was disabled or deleted, FAILED once its retry budget is spent), an
 * endpoint's failing streak and its disabling, and the deliveries whose workflow was never started (for the sweep).
 * Every write is guarded on the state it expects, so a retried activity changes nothing twice.
 */
import type { Knex } from 'knex';
import { recordAudit } from '../../audit/auditLog';
import type { AttemptResult } from '../deliveryHttpClient';

export type DeliveryState = 'PENDING' | 'DELIVERED' | 'FAILED' | 'STOPPED';

export interface DeliveryToSend {
  deliveryId: number;
  state: DeliveryState;
  eventId: string;
  body: string;
  endpoint: { id: number; url: string; secret: string; live: boolean };
}

export async function loadDeliveryToSend(knex: Knex, deliveryId: number): Promise<DeliveryToSend | null> {
  const row = await knex('webhook_deliveries as d')
    .join('webhook_events as ev', 'ev.id', 'd.event_id')
    .join('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .where('d.id', deliveryId)
    .first<
      | {
          state: DeliveryState;
          event_id: string;
          body: string;
          endpoint_id: string;
          url: string;
          secret: string;
          enabled: boolean;
          deleted_at: Date | null;
        }
      | undefined
    >('d.state', 'd.event_id', 'ev.body', 'd.endpoint_id', 'e.url', 'e.secret', 'e.enabled', 'e.deleted_at');
  if (!row) return null;
  return {
    deliveryId,
    state: row.state,
    eventId: row.event_id,
    body: row.body,
    endpoint: {
      id: Number(row.endpoint_id),
      url: row.url,
      secret: row.secret,
      live: row.enabled && row.deleted_at === null,
    },
  };
}

/**
 * Records the attempt; a 2xx ends the delivery DELIVERED and the endpoint's failing streak. Returns since when the
 * endpoint has been failing (null after a success).
 */
export async function recordDeliveryAttempt(
  knex: Knex,
  delivery: { deliveryId: number; endpointId: number },
  attempt: AttemptResult,
): Promise<{ failingSince: Date | null }> {
  return knex.transaction(async (trx) => {
    await trx('webhook_delivery_attempts').insert({
      delivery_id: delivery.deliveryId,
      attempted_at: attempt.attemptedAt,
      http_status: attempt.httpStatus,
      duration_ms: attempt.durationMs,
      error: attempt.error,
    });
    if (attempt.error === null) {
      await trx('webhook_deliveries')
        .where({ id: delivery.deliveryId, state: 'PENDING' })
        .update({ state: 'DELIVERED', completed_at: trx.fn.now() });
      await trx('webhook_endpoints').where('id', delivery.endpointId).update({ failing_since: null });
      return { failingSince: null };
    }
    const [endpoint] = await trx('webhook_endpoints')
      .where('id', delivery.endpointId)
      .update({ failing_since: trx.raw('coalesce(failing_since, ?)', [attempt.attemptedAt]) })
      .returning<Array<{ failing_since: Date | null }>>('failing_since');
    return { failingSince: endpoint?.failing_since ?? attempt.attemptedAt };
  });
}

/** Marks the workflow of each delivery started (the sweep then leaves it alone). */
export async function markDeliveriesStarted(knex: Knex, deliveryIds: readonly number[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await knex('webhook_deliveries')
    .whereIn('id', deliveryIds)
    .whereNull('workflow_started_at')
    .update({ workflow_started_at: knex.fn.now() });
}

/** Ends a pending delivery without sending it again: FAILED (budget spent) or STOPPED (endpoint gone). */
export async function endDelivery(
  knex: Knex,
  deliveryId: number,
  state: 'FAILED' | 'STOPPED',
  reason: string,
): Promise<void> {
  await knex('webhook_deliveries')
    .where({ id: deliveryId, state: 'PENDING' })
    .update({ state, failure_reason: reason.slice(0, 500), completed_at: knex.fn.now() });
}

export async function deliveryState(knex: Knex, deliveryId: number): Promise<DeliveryState | null> {
  const row = await knex('webhook_deliveries')
    .where('id', deliveryId)
    .first<{ state: DeliveryState } | undefined>('state');
  return row?.state ?? null;
}

/** The endpoint of a delivery, for disabling it. */
export async function endpointOfDelivery(knex: Knex, deliveryId: number): Promise<number | null> {
  const row = await knex('webhook_deliveries')
    .where('id', deliveryId)
    .first<{ endpoint_id: string } | undefined>('endpoint_id');
  return row ? Number(row.endpoint_id) : null;
}

export interface DisabledEndpoint {
  id: number;
  organizationId: number;
  url: string;
  reason: string;
}

/**
 * Disables a live endpoint (no new deliveries) and stops its pending ones, recorded in the audit log as the
 * system's decision; null when it was not live (disabled or deleted already: nothing changed).
 */
export async function disableEndpoint(
  knex: Knex,
  endpointId: number,
  reason: string,
): Promise<DisabledEndpoint | null> {
  return knex.transaction(async (trx) => {
    const [endpoint] = await trx('webhook_endpoints')
      .where({ id: endpointId, enabled: true })
      .whereNull('deleted_at')
      .update({
        enabled: false,
        disabled_at: trx.fn.now(),
        disabled_reason: reason.slice(0, 500),
        updated_at: trx.fn.now(),
      })
      .returning<Array<{ organization_id: number; url: string; failing_since: Date | null }>>([
        'organization_id',
        'url',
        'failing_since',
      ]);
    if (!endpoint) return null;
    await stopPendingDeliveries(trx, endpointId, 'its endpoint was disabled');
    await recordAudit(trx, {
      actor: null,
      requestId: null,
      kind: 'webhook.disabled',
      organizationId: endpoint.organization_id,
      subject: { type: 'webhook', id: endpointId },
      before: { enabled: true, failing_since: endpoint.failing_since?.toISOString() ?? null },
      after: { enabled: false, reason },
    });
    return { id: endpointId, organizationId: endpoint.organization_id, url: endpoint.url, reason };
  });
}

export async function stopPendingDeliveries(trx: Knex, endpointId: number, reason: string): Promise<void> {
  await trx('webhook_deliveries')
    .where({ endpoint_id: endpointId, state: 'PENDING' })
    .update({ state: 'STOPPED', failure_reason: reason, completed_at: trx.fn.now() });
}

/** Pending deliveries whose workflow was not started for `olderThanSeconds` (a crash between commit and start). */
export async function listUnstartedDeliveries(knex: Knex, olderThanSeconds: number, limit: number): Promise<number[]> {
  const rows = await knex('webhook_deliveries')
    .where('state', 'PENDING')
    .whereNull('workflow_started_at')
    .whereRaw('created_at < now() - make_interval(secs => ?)', [olderThanSeconds])
    .orderBy('created_at')
    .limit(limit)
    .select<Array<{ id: string }>>('id');
  return rows.map((row) => Number(row.id));
}

/** Who is told when an endpoint is disabled: the organization's active users. */
export async function organizationRecipients(
  knex: Knex,
  organizationId: number,
): Promise<Array<{ email: string; first_name: string }>> {
  return knex('users')
    .where({ organization_id: organizationId, is_active: true })
    .orderBy('id')
    .select<Array<{ email: string; first_name: string }>>('email', 'first_name');
}
