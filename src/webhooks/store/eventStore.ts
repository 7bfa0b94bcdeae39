/**
 * Recording webhook events: the transactional outbox. A change that announces an event (a bulk's state, a line's
 * final status) records it with its own transaction (the payout's events: src/payouts/store/payoutEventStore.ts), so
 * the event and one delivery per subscribed endpoint commit, or roll back, with the change itself. Delivery happens later, outside that transaction, by one
 * Temporal workflow per delivery (src/webhooks/webhookClient.ts, workflows/webhooks/webhookDeliveryWorkflow.ts).
 *
 * Cost for the payout: when no live endpoint of the organization subscribes to the event (the usual case), one
 * indexed query and nothing written. Idempotent: the event's dedupe key (type, subject, occurrence) is unique, so
 * an activity retried after its commit records nothing the second time.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export const BULK_EVENT_TYPES = ['bulk.awaiting_approval', 'bulk.processing', 'bulk.completed', 'bulk.failed'] as const;
export const TRANSFER_EVENT_TYPES = ['transfer.on_hold', 'transfer.failed', 'transfer.completed'] as const;
/** What an endpoint may subscribe to. */
export const WEBHOOK_EVENT_TYPES = [...BULK_EVENT_TYPES, ...TRANSFER_EVENT_TYPES] as const;
/** Sent to one endpoint on request (POST /api/webhooks/{id}/test), through the same delivery path; never subscribed. */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';

export type BulkEventType = (typeof BULK_EVENT_TYPES)[number];
export type TransferEventType = (typeof TRANSFER_EVENT_TYPES)[number];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * The ids of the deliveries a transaction recorded: its caller starts their workflows once it has committed
 * (startWebhookDeliveries); the delivery sweep starts any it could not.
 */
export type RecordedDeliveries = number[];

export interface Subscriber {
  id: number;
  organization_id: number;
  bulk_id: string;
}

/** The one query made when nobody listens: the organization's live endpoints subscribed to `type`. */
export async function subscribedEndpoints(
  trx: Knex,
  type: string,
  of: { bulkId: string } | { transferId: string },
): Promise<Subscriber[]> {
  const bulk =
    'bulkId' in of
      ? { sql: 'select bulk_id, organization_id from bulk_transfers where bulk_id = ?', id: of.bulkId }
      : {
          sql: `select b.bulk_id, b.organization_id from individual_transfers t
                  join bulk_transfers b on b.bulk_id = t.bulk_id where t.transfer_id = ?`,
          id: of.transferId,
        };
  const result = await trx.raw<{ rows: Array<{ id: string; organization_id: number; bulk_id: string }> }>(
    `select e.id, e.organization_id, b.bulk_id
       from (${bulk.sql}) b
       join webhook_endpoints e on e.organization_id = b.organization_id
      where e.enabled and e.deleted_at is null and ? = any(e.events)
      order by e.id`,
    [bulk.id, type],
  );
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}

export interface NewWebhookEvent {
  id: string;
  type: string;
  dedupeKey: string;
  body: string;
}

/** The body is fixed now, once: every attempt to every endpoint sends these bytes, signed under the same id. */
export function newEvent(type: string, dedupeKey: string, data: Record<string, unknown>): NewWebhookEvent {
  const id = `evt_${randomUUID().replace(/-/g, '')}`;
  const body = JSON.stringify({ id, type, created_at: new Date().toISOString(), data });
  return { id, type, dedupeKey, body };
}

/** The events not recorded before (by dedupe key), each with a delivery per endpoint; the new deliveries' ids. */
export async function insertEvents(
  trx: Knex,
  organizationId: number,
  events: readonly NewWebhookEvent[],
  endpoints: ReadonlyArray<{ id: number }>,
): Promise<RecordedDeliveries> {
  if (events.length === 0 || endpoints.length === 0) return [];
  const inserted = await trx('webhook_events')
    .insert(
      events.map((event) => ({
        id: event.id,
        organization_id: organizationId,
        type: event.type,
        dedupe_key: event.dedupeKey,
        body: event.body,
      })),
    )
    .onConflict('dedupe_key')
    .ignore()
    .returning<Array<{ id: string }>>('id');
  if (inserted.length === 0) return [];
  const deliveries = await trx('webhook_deliveries')
    .insert(
      inserted.flatMap((event) => endpoints.map((endpoint) => ({ event_id: event.id, endpoint_id: endpoint.id }))),
    )
    .returning<Array<{ id: string }>>('id');
  return deliveries.map((delivery) => Number(delivery.id));
}
