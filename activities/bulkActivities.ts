/** The bulk workflow's reads and writes: starting and closing a bulk, and reading its lines page by page. */
import { ApplicationFailure } from '@temporalio/activity';
import type { BulkCounts } from '../src/domain/transferStates';
import { finishBulk as closeBulk, listTransferPage as readTransferPage, startBulkProcessing, TransferPageEntry, transferStatus } from '../src/payouts/ledger';
import type { ActivityDependencies } from './dependencies';
import type { BulkRun } from './results';

export function createBulkActivities(deps: ActivityDependencies) {
  const { db, settings } = deps;

  /** PENDING -> PROCESSING, and the settings this bulk runs with (workflows cannot read the configuration). */
  async function startBulk(bulkId: string): Promise<BulkRun> {
    const bulk = await startBulkProcessing(db, bulkId);
    if (!bulk) throw ApplicationFailure.nonRetryable(`Bulk ${bulkId} does not exist`, 'BulkNotFound');
    return { ...bulk, concurrency: settings.payoutConcurrency, pageSize: settings.pageSize };
  }

  async function listTransferPage(bulkId: string, afterLineNumber: number, limit: number): Promise<TransferPageEntry[]> {
    return readTransferPage(db, bulkId, afterLineNumber, limit);
  }

  /** Where a line stands now: lets the bulk workflow take the result of a child that already ran. */
  async function transferOutcome(transferId: string): Promise<'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | null> {
    return transferStatus(db, transferId);
  }

  /** Closes the bulk if every line is final; otherwise says how many are not (the workflow makes another pass). */
  async function finishBulk(bulkId: string): Promise<{ state: 'COMPLETED' | 'FAILED' | 'UNFINISHED'; counts: BulkCounts }> {
    const { outcome, counts } = await closeBulk(db, bulkId);
    return { state: outcome.state, counts };
  }

  return { startBulk, listTransferPage, transferOutcome, finishBulk };
}
