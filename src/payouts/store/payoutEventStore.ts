/**
 * The payout concern's webhook events, recorded in the transaction of the change they announce (the transactional
 * outbox of src/webhooks/store/eventStore.ts): a bulk's state, a line's final status. Their bodies are what
 * GET /api/bulk-transfers/{id}/details shows, so they read the payout's own tables.
 */
import type { Knex } from 'knex';
import {
  type BulkEventType,
  insertEvents,
  newEvent,
  type RecordedDeliveries,
  subscribedEndpoints,
  type TransferEventType,
} from '../../webhooks/store/eventStore';
import {
  type BulkSummary,
  loadBulkSummary,
  loadTransferDetails,
  progressFromDatabase,
  type TransferDetail,
} from './bulkReadStore';
import type { BulkProgress } from '../contract';

/** What happened, to whom: the bulk, or one line (its current attempt). */
export type WebhookEventSubject =
  { type: BulkEventType; bulkId: string } | { type: TransferEventType; transferId: string };

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

/** Events written per statement when many lines change at once. */
const BATCH = 500;

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
