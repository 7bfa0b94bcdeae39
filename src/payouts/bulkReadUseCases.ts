/**
 * What the bulk read routes answer: the history, a bulk's details and its live status, each for a caller who
 * may only see their own organization's bulks.
 */
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import { assertSameOrganization, notFound } from '../organizations/organizationScope';
import type { RequestScope } from '../requests/requestScope';
import { queryBulkProgress } from './payoutClient';
import { isOpenBulkState } from './store/bulkStore';
import {
  type BulkSummary,
  countTransferDetails,
  type HistoryFilters,
  type LineFilters,
  listBulkHistory,
  listTransferDetails,
  listTransferStatuses,
  loadBulkDecisions,
  loadBulkSummary,
  percentOf,
  progressFromDatabase,
} from './store/bulkReadStore';
import type { BulkProgress } from './contract';

/** The bulk if the caller's organization owns it; a missing bulk and another's bulk both 404. */
export async function readableBulk(
  scope: Pick<RequestScope, 'db'>,
  user: AuthenticatedUser,
  bulkId: string,
): Promise<BulkSummary> {
  const bulk = await loadBulkSummary(scope.db, bulkId);
  if (!bulk) throw notFound();
  assertSameOrganization(user, bulk.organization_id);
  return bulk;
}

export async function bulkHistory(scope: RequestScope, user: AuthenticatedUser, filters: HistoryFilters) {
  const { total, entries } = await listBulkHistory(scope.db, user.organizationId!, filters);
  return { total, count: entries.length, limit: filters.limit, offset: filters.offset, results: entries };
}

export async function bulkDetails(scope: RequestScope, user: AuthenticatedUser, bulkId: string, lines: LineFilters) {
  const filtered = lines.status !== null || lines.failureCode !== null;
  // Read together with the bulk itself, which decides whether the caller sees any of it (404 otherwise): one round
  // of queries instead of two, which is what a read waits for on a busy machine.
  const [bulk, progress, transfers, decisions, matching] = await Promise.all([
    readableBulk(scope, user, bulkId),
    progressFromDatabase(scope.db, bulkId),
    listTransferDetails(scope.db, bulkId, lines),
    loadBulkDecisions(scope.db, bulkId),
    filtered ? countTransferDetails(scope.db, bulkId, lines) : null,
  ]);
  return {
    bulk_id: bulk.bulk_id,
    payer_account: bulk.payer_account,
    organization: bulk.organization,
    state: bulk.state,
    total_amount: bulk.total_amount,
    currency: bulk.currency,
    created_at: bulk.created_at,
    completed_at: bulk.completed_at,
    failure_reason: bulk.failure_reason,
    ...decisions!,
    statistics: {
      total: progress.total,
      completed: progress.completed,
      failed: progress.failed,
      pending: progress.pending,
      processing: progress.processing,
      held: progress.held,
      cancelled: decisions?.cancellation?.cancelled_transfers ?? 0,
      success_rate: percentOf(progress.completed, progress.total),
    },
    individual_transfers: transfers,
    individual_transfers_count: progress.total,
    matching_transfers_count: matching ?? progress.total,
    limit: lines.limit,
    offset: lines.offset,
  };
}

export async function bulkStatus(scope: RequestScope, user: AuthenticatedUser, bulkId: string, limit: number) {
  // The reads at once, so the answer takes as long as the slowest, not their sum: the database's count and lines
  // are read with the bulk itself (which decides whether the caller sees any of it), and even when the workflow
  // answers, rather than only after waiting for it. Only a running bulk's workflow is asked.
  const counting = Promise.all([
    progressFromDatabase(scope.db, bulkId),
    listTransferStatuses(scope.db, bulkId, limit, 0),
  ]);
  void counting.catch(() => undefined); // not awaited when the bulk is not the caller's (404): its failure then is moot
  const bulk = await readableBulk(scope, user, bulkId);
  const [answer, [counted, individualTransfers]] = await Promise.all([
    isOpenBulkState(bulk.state) ? liveProgress(scope, bulk.bulk_id) : null,
    counting,
  ]);
  // Until its first step has read the bulk, the workflow counts no lines at all: the database knows better.
  const live = answer !== null && answer.total === bulk.transfers_count ? answer : null;
  const progress = live ?? counted;
  return {
    bulkTransferId: bulk.bulk_id,
    state: bulk.state,
    total: progress.total,
    completed: progress.completed,
    failed: progress.failed,
    pending: progress.pending,
    processing: progress.processing,
    held: progress.held ?? 0,
    progress_percent: percentOf(progress.completed + progress.failed, progress.total),
    source: live ? ('workflow' as const) : ('database' as const),
    individualTransfers,
  };
}

/**
 * The query's own gRPC deadline, kept long: a status read stops waiting much sooner (BULK_STATUS_LIVE_WAIT_MS), and
 * cancelling the server's call mid-operation has broken the dev server's SQLite store (see README, Benchmarks).
 */
const LIVE_PROGRESS_DEADLINE_MS = 2000;

/**
 * The workflow's own count while it runs; null (read the database) when it has closed, is unknown, or does not
 * answer within BULK_STATUS_LIVE_WAIT_MS (0: the database only). The worker answers queries between payment tasks, so under load it can
 * take seconds; the database's counts are never older (activities write a line's status before the workflow
 * hears of it), so a status read does not wait for it. A late answer is dropped.
 */
async function liveProgress(scope: RequestScope, bulkId: string): Promise<BulkProgress | null> {
  const liveWaitMs = scope.config.bulk.statusLiveWaitMs;
  if (liveWaitMs === 0) return null;
  let timer: NodeJS.Timeout | undefined;
  try {
    const temporal = await scope.temporal();
    const query = temporal.connection.withDeadline(Date.now() + LIVE_PROGRESS_DEADLINE_MS, () =>
      queryBulkProgress(temporal, bulkId),
    );
    const tooSlow = new Promise<'too slow'>((resolve) => {
      timer = setTimeout(() => resolve('too slow'), liveWaitMs);
    });
    const first = await Promise.race([query, tooSlow]);
    if (first !== 'too slow') return first;
    query.catch((error: unknown) => scope.log.debug({ err: error, bulkId }, 'late live progress failed'));
    return null;
  } catch (error) {
    scope.log.warn({ err: error, bulkId }, 'live bulk progress unavailable; answering from the database');
    return null;
  } finally {
    clearTimeout(timer);
  }
}
