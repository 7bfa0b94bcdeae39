/**
 * Recording webhook events: the transactional outbox. A change that announces an event (a bulk's state, a line's
 * final status) calls recordWebhookEvent with its own transaction, so the event and one delivery per subscribed
 * endpoint commit, or roll back, with the change itself. Delivery happens later, outside that transaction, by one
 * Temporal workflow per delivery (src/webhooks/deliveryStartClient.ts, workflows/webhooks/webhookDeliveryWorkflow.ts).
 *
 * Cost for the payout: when no live endpoint of the organization subscribes to the event (the usual case), one
 * indexed query and nothing written. Idempotent: the event's dedupe key (type, subject, occurrence) is unique, so
 * an activity retried after its commit records nothing the second time.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import {
  type BulkSummary,
  loadBulkSummary,
  loadTransferDetails,
  progressFromDatabase,
  type TransferDetail,
} from '../../payouts/store/bulkReadStore';
import type { BulkProgress } from '../../payouts/contract';

export const BULK_EVENT_TYPES = ['bulk.awaiting_approval', 'bulk.processing', 'bulk.completed', 'bulk.failed'] as const;
export const TRANSFER_EVENT_TYPES = ['transfer.on_hold', 'transfer.failed', 'transfer.completed'] as const;
/** What an endpoint may subscribe to. */
export const WEBHOOK_EVENT_TYPES = [...BULK_EVENT_TYPES, ...TRANSFER_EVENT_TYPES] as const;
/** Sent to one endpoint on request (POST /api/webhooks/{id}/test), through the same delivery path; never subscribed. */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';

export type BulkEventType = (typeof BULK_EVENT_TYPES)[number];
export type TransferEventType = (typeof TRANSFER_EVENT_TYPES)[number];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What happened, to whom: the bulk, or one line (its current attempt). */
export type WebhookEventSubject =
  { type: BulkEventType; bulkId: string } | { type: TransferEventType; transferId: string };

/**
 * The ids of the deliveries a transaction recorded: its caller starts their workflows once it has committed
 * (startWebhookDeliveries); the delivery sweep starts any it could not.
 */
export type RecordedDeliveries = number[];

/**
 * Records the event in the caller's transaction, with a delivery for each enabled endpoint of the bulk's
 * organization that subscribes to its type; returns the new deliveries (none if nobody subscribes, or if this
 * event was recorded already). Call it only when the change it announces was made by this transaction (a guarded
 * update that changed a row).
 */
export async function recordWebhookEvent(trx: Knex, subject: WebhookEventSubject): Promise<RecordedDeliveries> {
  if ('bulkId' in subject) return recordBulkEvent(trx, subject.type, subject.bulkId);
  return recordTransferEvents(trx, subject.type, { transferIds: [subject.transferId] });
}

async function recordBulkEvent(trx: Knex, type: BulkEventType, bulkId: string): Promise<RecordedDeliveries> {
  const endpoints = await subscribedEndpoints(trx, type, { bulkId });
  if (endpoints.length === 0) return [];
  // One after the other: they share the transaction's connection.
  const bulk = await loadBulkSummary(trx, bulkId);
  const progress = await progressFromDatabase(trx, bulkId);
  const occurrence = await trx('bulk_transfers').where('bulk_id', bulkId).first<{ retry_count: number }>('retry_count');
  if (!bulk || !occurrence) return [];
  // A retry-failed makes the bulk PROCESSING, then COMPLETED or FAILED, again: each round is its own occurrence.
  const event = newEvent(type, `${type}:${bulkId}:${occurrence.retry_count}`, bulkEventData(bulk, progress));
  return insertEvents(trx, bulk.organization_id, [event], endpoints);
}

/**
 * Records one event of `type` for each of these lines (all of one bulk, e.g. the lines a cancel failed), in
 * batches; each line's occurrence is its attempt (a line paid again by retry-failed is a new one).
 */
export async function recordTransferEvents(
  trx: Knex,
  type: TransferEventType,
  lines: { transferIds: readonly string[]; bulkId?: string },
): Promise<RecordedDeliveries> {
  const first = lines.transferIds[0];
  if (first === undefined) return [];
  const endpoints = await subscribedEndpoints(
    trx,
    type,
    lines.bulkId ? { bulkId: lines.bulkId } : { transferId: first },
  );
  if (endpoints.length === 0) return [];
  const { organization_id: organizationId, bulk_id: bulkId } = endpoints[0]!;
  const recorded: RecordedDeliveries = [];
  for (let start = 0; start < lines.transferIds.length; start += BATCH) {
    const details = await loadTransferDetails(trx, lines.transferIds.slice(start, start + BATCH));
    const events = details.map((line) =>
      newEvent(type, `${type}:${line.transfer_id}:${line.attempt}`, transferEventData(bulkId, line)),
    );
    recorded.push(...(await insertEvents(trx, organizationId, events, endpoints)));
  }
  return recorded;
}

/** Events written per statement when many lines change at once. */
const BATCH = 500;

interface Subscriber {
  id: number;
  organization_id: number;
  bulk_id: string;
}

/** The one query made when nobody listens: the organization's live endpoints subscribed to `type`. */
async function subscribedEndpoints(
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

/** A JSON number: amounts are kept below 2^53 by the upload's and the deposit's checks, so this is exact. */
function jsonAmount(amount: bigint | null): number | null {
  return amount === null ? null : Number(amount);
}

/** The bulk as GET /api/bulk-transfers/{id}/details shows it (without its lines). */
function bulkEventData(bulk: BulkSummary, progress: BulkProgress): Record<string, unknown> {
  return {
    bulk_id: bulk.bulk_id,
    payer_account: bulk.payer_account,
    organization: bulk.organization,
    state: bulk.state,
    total_amount: jsonAmount(bulk.total_amount),
    currency: bulk.currency,
    transfers_count: bulk.transfers_count,
    created_at: bulk.created_at,
    completed_at: bulk.completed_at,
    failure_reason: bulk.failure_reason,
    statistics: progress,
  };
}

/** The line as /details shows it, with its bulk's id. */
function transferEventData(bulkId: string, line: TransferDetail): Record<string, unknown> {
  return { bulk_id: bulkId, ...line, amount: jsonAmount(line.amount), fee_amount: jsonAmount(line.fee_amount) };
}
