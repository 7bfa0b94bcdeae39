/**
 * Pays a bulk: one child workflow per line, at most `concurrency` at a time (a sliding window), lines read
 * from the database a page at a time by line number. Children are abandoned to run on their own and report
 * back by signal to this workflow's id, so this workflow can continue-as-new every page with only a cursor,
 * the counts and the lines still in flight, whatever the size of the bulk (100,000 lines: 200 runs of 500).
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { PayoutActivities } from '../activities';
import { isFinalStatus } from '../src/domain/transferStates';
import type { TransferPageEntry } from '../src/payouts/ledger';
import { workflowIdForLine } from '../src/payouts/types';
import {
  BULK_ID,
  BulkPayoutInput,
  BulkPayoutResult,
  BulkSettings,
  lineFinishedSignal,
  ORGANIZATION_CODE,
  PAYEE_IDENTIFIER,
  PAYOUT_STATUS,
  progressQuery,
} from './definitions';
import { LineWindow } from './lineWindow';
import { requestIdMemo, requestIdOf } from './requestId';
import { payoutTransferWorkflow } from './payoutTransferWorkflow';

const database = proxyActivities<PayoutActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['BulkNotFound'] },
});

/** Pages read per run, so a bulk whose lines are mostly final already still continues-as-new regularly. */
const MAX_PAGES_PER_RUN = 4;
/** A pass that leaves lines unfinished (their workflow failed) is followed by another, this many times at most. */
const MAX_PASSES = 3;

export async function bulkPayoutWorkflow(input: BulkPayoutInput): Promise<BulkPayoutResult> {
  const { bulkId } = input;
  const window = new LineWindow(input.inFlight ?? [], input.counts ?? { completed: 0, failed: 0 });
  let total = input.settings?.total ?? 0;
  setHandler(lineFinishedSignal, (report) => window.report(report));
  setHandler(progressQuery, () => window.progress(total));

  const settings = input.settings ?? (await startBulk(bulkId));
  if (settings === 'closed') return closedBulkResult(bulkId);
  total = settings.total;

  const run = { cursor: input.cursor ?? 0, childrenStarted: 0, pagesRead: 0 };
  const shouldContinueAsNew = (): boolean =>
    run.childrenStarted >= settings.pageSize || run.pagesRead >= MAX_PAGES_PER_RUN || workflowInfo().continueAsNewSuggested;
  const continueWithNextRun = async (): Promise<never> => {
    // Starts already issued must be settled (started, or found to have run) before this run closes.
    await condition(() => window.startsSettled());
    return continueAsNew<typeof bulkPayoutWorkflow>({ bulkId, settings, cursor: run.cursor, pass: input.pass, ...window.snapshot() });
  };

  for (;;) {
    if (shouldContinueAsNew()) return continueWithNextRun();
    const page = await database.listTransferPage(bulkId, run.cursor, settings.pageSize);
    run.pagesRead++;
    for (const line of page) {
      if (shouldContinueAsNew()) return continueWithNextRun();
      if (isFinalStatus(line.status)) {
        window.countFinal(line.status);
      } else {
        await condition(() => window.hasRoomFor(settings.concurrency));
        void window.launch(line.lineNumber, () => startLine(bulkId, line, window));
        run.childrenStarted++;
      }
      run.cursor = line.lineNumber;
    }
    if (page.length < settings.pageSize) break;
  }

  await condition(() => window.isEmpty());
  return finish(bulkId, input, settings);
}

async function startBulk(bulkId: string): Promise<BulkSettings | 'closed'> {
  const bulk = await database.startBulk(bulkId);
  if (bulk.state !== 'PROCESSING') return 'closed';
  upsertSearchAttributes([
    { key: BULK_ID, value: bulkId },
    { key: ORGANIZATION_CODE, value: bulk.organizationCode },
  ]);
  return { total: bulk.total, organizationCode: bulk.organizationCode, concurrency: bulk.concurrency, pageSize: bulk.pageSize };
}

/**
 * Starts the line's workflow. Its id is derived from the bulk and line, and a completed one may not run again
 * (ALLOW_DUPLICATE_FAILED_ONLY): if it already ran to the end (a restart of this bulk after a crash or a
 * termination), its result is read from the database instead; if it is still running, it reports when done.
 * Paying twice is also impossible below this: every payment step is guarded in the database.
 */
async function startLine(bulkId: string, line: TransferPageEntry, window: LineWindow): Promise<void> {
  try {
    await startChild(payoutTransferWorkflow, {
      workflowId: workflowIdForLine(bulkId, line.lineNumber),
      args: [{ transferId: line.transferId, lineNumber: line.lineNumber, reportTo: workflowInfo().workflowId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // The API request that started the bulk, for the line's activity logs (workflows/requestId.ts).
      memo: requestIdMemo(requestIdOf(workflowInfo().memo)),
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      typedSearchAttributes: [
        { key: BULK_ID, value: bulkId },
        { key: PAYEE_IDENTIFIER, value: line.payeeIdentifier },
        { key: PAYOUT_STATUS, value: line.status },
      ],
      staticSummary:
        `Pension payout line ${line.lineNumber} of bulk ${bulkId}: ` +
        `${line.amount} ${line.currency} to ${line.payeeIdType} ${line.payeeIdentifier}`,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const status = await database.transferOutcome(line.transferId);
    if (status !== null && isFinalStatus(status)) window.report({ lineNumber: line.lineNumber, status });
  }
}

async function finish(bulkId: string, input: BulkPayoutInput, settings: BulkSettings): Promise<BulkPayoutResult> {
  const closed = await database.finishBulk(bulkId);
  if (closed.state !== 'UNFINISHED') return { bulkId, state: closed.state, ...closed.counts };

  const pass = (input.pass ?? 1) + 1;
  if (pass > MAX_PASSES) {
    const unfinished = closed.counts.total - closed.counts.completed - closed.counts.failed;
    throw ApplicationFailure.nonRetryable(
      `${unfinished} line(s) of bulk ${bulkId} are still unfinished after ${MAX_PASSES} passes; see their workflows`,
      'BulkUnfinished',
    );
  }
  // Some line's workflow failed without ending its line: go over the bulk again from the first line.
  return continueAsNew<typeof bulkPayoutWorkflow>({ bulkId, settings, cursor: 0, pass, inFlight: [], counts: { completed: 0, failed: 0 } });
}

async function closedBulkResult(bulkId: string): Promise<BulkPayoutResult> {
  const closed = await database.finishBulk(bulkId);
  const state = closed.state === 'UNFINISHED' ? 'FAILED' : closed.state;
  return { bulkId, state, ...closed.counts };
}
