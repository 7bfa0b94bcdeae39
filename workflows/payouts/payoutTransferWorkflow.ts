/**
 * Pays one pension line: find the payee, get a quote, confirm the transfer. The activities do the I/O and keep
 * the database right on every retry; this workflow only orders them and decides when to start over or give up.
 * A payee whose name is not the pensioner's holds the line: it waits for a GESTIONNAIRE's release (then it is
 * found again and paid) or rejection, or for its deadline (workflows/payouts/payeeHold.ts).
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancelledFailure,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  TemporalFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PayoutActivities } from '../../activities/payouts';
import {
  lineFinishedSignal,
  lineHeldSignal,
  type LineReport,
  type LineRetry,
  PAYOUT_STATUS,
  type PayoutTransferInput,
  type PayoutTransferResult,
  type FinalStepResult,
  type LineRef,
} from '../../src/payouts/contract';
import { HoldDesk } from './payeeHold';
import { type ActivityTrace, requestIdOf } from '../../src/payouts/rules/requestIdMemo';

/**
 * A definite Mojaloop refusal (activities turn it into a FAILED line), our own invariant breaches, a line
 * whose bulk may not be paid (awaiting approval, rejected, ended, organization deactivated), and a line that has
 * moved on from what this workflow acts on (another attempt, adapter transfer or quote): nothing is sent.
 */
const ERRORS_NEVER_RETRIED = [
  'MojaloopBusinessError',
  'TransferNotFound',
  'TransferNotQuoted',
  'SettlementRefused',
  'BulkNotPayable',
  'PayeeNotVerified',
  'LineMovedOn',
];

/**
 * Steps before money moves: retried with backoff for a while, then the line fails unpaid. Local activities: they
 * run in the worker that runs this workflow and are recorded with its next workflow task, which saves the server
 * a schedule, a dispatch and a workflow task per step (most of a line's cost on a small machine: see the README's
 * Benchmarks). Like any activity they may run more than once; each step reads where the line is first.
 */
const DEFAULT_BEFORE_SENDING_RETRY: LineRetry = {
  initialIntervalMs: 1000, // doubling
  maximumIntervalMs: 30000,
  maximumAttempts: 20, // about 8 minutes of an unreachable adapter
};

/** The before-sending steps with the line's retry policy: the input's (LINE_STEP_RETRY_*), else the defaults above. */
function beforeSendingSteps(retry: LineRetry) {
  return proxyLocalActivities<PayoutActivities>({
    startToCloseTimeout: '2 minutes', // above the adapter client's own timeout (SCHEME_ADAPTER_TIMEOUT_MS, 65 s)
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: retry.maximumIntervalMs,
      maximumAttempts: retry.maximumAttempts,
      nonRetryableErrorTypes: ERRORS_NEVER_RETRIED,
    },
  });
}

/**
 * The step that moves money: once sent, its outcome must be learnt, however long the switch takes to answer. A
 * regular activity, so an operator sees it pending in the Web UI, with its attempts and last error, while it waits.
 */
const sending = proxyActivities<PayoutActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ERRORS_NEVER_RETRIED,
  },
});

/** Database only: failing a line that could not be quoted. */
const bookkeeping = proxyActivities<PayoutActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ERRORS_NEVER_RETRIED,
  },
});

/**
 * Rounds of discovery + quote. The adapter cannot resume a transfer after a failed quote step (timeout or 5xx:
 * its transfer goes to ERROR_OCCURRED), so step 2 is retried by starting over from step 1: a new adapter
 * transfer with the same homeTransactionId. That is safe because nothing is sent before step 3: the abandoned
 * adapter transfer never moved money, and requestQuote only forgets it while no quote and no send are recorded.
 */
const MAX_QUOTE_ROUNDS = 8;
const roundBackoffMs = (round: number, retry: LineRetry): number =>
  Math.min(retry.initialIntervalMs * 2 ** (round - 1), retry.maximumIntervalMs);

export async function payoutTransferWorkflow(input: PayoutTransferInput): Promise<PayoutTransferResult> {
  const status = new PayoutStatusAttribute();
  const hold = new HoldDesk(input.transferId, bookkeeping);
  let result: FinalStepResult;
  try {
    // From the memo the bulk workflow gave this line: the API request that started the bulk, for activity logs.
    const trace: ActivityTrace = { requestId: requestIdOf(workflowInfo().memo) };
    result = await payLine(input, status, hold, trace, input.retry ?? DEFAULT_BEFORE_SENDING_RETRY);
  } catch (error) {
    // The line is not final (its bulk may not be paid, a bug, a missing row): tell the bulk, which retries the
    // line in its next pass, and fail with the step's own reason, so the Web UI shows why nothing was paid.
    await reportToBulk(input, 'UNRESOLVED', hold.wasHeld);
    throw error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable
      ? error.cause
      : error;
  }
  status.set(result.status);
  await reportToBulk(input, result.status, hold.wasHeld);
  await condition(allHandlersFinished);
  return result.status === 'FAILED'
    ? { transferId: input.transferId, status: 'FAILED', failureCode: result.failureCode }
    : { transferId: input.transferId, status: 'COMPLETED' };
}

async function payLine(
  input: PayoutTransferInput,
  status: PayoutStatusAttribute,
  hold: HoldDesk,
  trace: ActivityTrace,
  retry: LineRetry,
): Promise<FinalStepResult> {
  const beforeSending = beforeSendingSteps(retry);
  const line = new PinnedLine(input);
  for (let round = 1; ; round++) {
    const discovered = await untilGivenUp(line, trace, () => beforeSending.discoverPayee(line.forDiscovery(), trace));
    if (discovered.status === 'ON_HOLD' || discovered.status === 'PROCESSING') line.found(discovered);
    if (discovered.status === 'ON_HOLD') {
      status.set('ON_HOLD');
      await tellBulkHeld(input, discovered.holdDeadline);
      const decided = await hold.awaitDecision(discovered.holdDeadline);
      if (decided?.status === 'FAILED') return decided;
      // Released (or moved meanwhile, by a cancel): discovery finds the payee again and reads where the line stands.
      round = 0;
      continue;
    }
    if (discovered.status !== 'PROCESSING') return discovered;
    status.set('PROCESSING');

    const quoted = await untilGivenUp(line, trace, () => beforeSending.requestQuote(line.forQuote(), trace));
    if (quoted.status === 'REDISCOVER') {
      if (round >= MAX_QUOTE_ROUNDS) {
        return giveUp(line, `No quote after ${round} attempts; last error: ${quoted.reason}`, trace);
      }
      await sleep(roundBackoffMs(round, retry));
      continue;
    }
    if (quoted.status !== 'PROCESSING') return quoted;
    line.quoted(quoted.quoteId);

    return sending.confirmTransfer(line.forConfirm(), trace);
  }
}

/**
 * What this workflow's steps act on: the attempt (the input's, else the first the discovery reports) and the adapter
 * transfer and quote the steps before found. Only the steps' arguments change with it, never which steps run or in
 * what order, so no patch is needed (Temporal does not compare arguments on replay; a patch would cost every line a
 * marker and a search attribute upsert): a line recorded before, whose discovery result names no attempt or adapter
 * transfer, goes on with refs that carry only what it knows, and each step pins to what it reads.
 */
class PinnedLine {
  private attempt: number | undefined;
  private mojaloopTransferId: string | undefined;
  private quoteId: string | undefined;

  constructor(private readonly input: PayoutTransferInput) {
    this.attempt = input.attempt;
  }

  get transferId(): string {
    return this.input.transferId;
  }

  found(discovered: { attempt?: number; mojaloopTransferId?: string }): void {
    this.attempt ??= discovered.attempt;
    this.mojaloopTransferId = discovered.mojaloopTransferId;
    this.quoteId = undefined;
  }

  quoted(quoteId: string | undefined): void {
    this.quoteId = quoteId;
  }

  /** Discovery finds (or records) the attempt's adapter transfer: pinned to the attempt only. */
  forDiscovery(): LineRef {
    return this.ref({});
  }

  forQuote(): LineRef {
    return this.ref({ mojaloopTransferId: this.mojaloopTransferId });
  }

  forConfirm(): LineRef {
    return this.ref({ mojaloopTransferId: this.mojaloopTransferId, quoteId: this.quoteId });
  }

  forGivingUp(): LineRef {
    return this.ref({});
  }

  private ref(found: Pick<LineRef, 'mojaloopTransferId' | 'quoteId'>): LineRef {
    const ref: LineRef = { transferId: this.input.transferId };
    // Only the fields known: an absent one pins nothing (the step reads it), and stays out of the history.
    if (this.attempt !== undefined) ref.attempt = this.attempt;
    if (found.mojaloopTransferId !== undefined) ref.mojaloopTransferId = found.mojaloopTransferId;
    if (found.quoteId !== undefined) ref.quoteId = found.quoteId;
    return ref;
  }
}

/** Runs a step before sending; if its retries run out (the switch stayed unreachable) the line fails unpaid. */
async function untilGivenUp<T>(
  line: PinnedLine,
  trace: ActivityTrace,
  step: () => Promise<T>,
): Promise<T | FinalStepResult> {
  try {
    return await step();
  } catch (error) {
    // A regular activity's failure comes wrapped in an ActivityFailure; a local activity's (these steps) comes as
    // the step's own failure (an ApplicationFailure, or a TimeoutFailure), with no ActivityFailure around it.
    const failure = error instanceof ActivityFailure ? (error.cause ?? error) : error;
    if (!(failure instanceof TemporalFailure) || !isRetryExhaustion(failure)) throw error;
    return giveUp(line, `The Mojaloop switch stayed unreachable: ${failure.message}`, trace);
  }
}

/**
 * Retries ran out (or timed out), as opposed to an error that is never retried (a bug, a missing row, a bulk not
 * payable) or the workflow being cancelled.
 */
function isRetryExhaustion(failure: TemporalFailure): boolean {
  if (failure instanceof CancelledFailure) return false;
  if (!(failure instanceof ApplicationFailure)) return true;
  return !failure.nonRetryable && !ERRORS_NEVER_RETRIED.includes(failure.type ?? '');
}

async function giveUp(line: PinnedLine, message: string, trace: ActivityTrace): Promise<FinalStepResult> {
  const result = await bookkeeping.failTransfer(line.forGivingUp(), 'switch_unavailable', message, trace);
  if (result.status === 'PROCESSING') {
    throw ApplicationFailure.nonRetryable(
      `Transfer ${line.transferId} was sent and cannot be failed without an outcome`,
      'TransferSent',
    );
  }
  return result;
}

/**
 * The PayoutStatus search attribute, so operators can list the lines of a bulk by status in the Web UI. It starts
 * as the line's workflow was started with: a bulk starts its lines PROCESSING (they are being paid from then on),
 * which spares each line an upsert (a history event and a visibility write); lines started PENDING (by a bulk run
 * from before that change, whose replay must make the same upserts) say PROCESSING once the payee is found.
 */
class PayoutStatusAttribute {
  private current: string = workflowInfo().typedSearchAttributes.get(PAYOUT_STATUS) ?? 'PENDING';

  set(status: 'PROCESSING' | 'ON_HOLD' | 'COMPLETED' | 'FAILED'): void {
    if (this.current === status) return;
    this.current = status;
    upsertSearchAttributes([{ key: PAYOUT_STATUS, value: status }]);
  }
}

/**
 * Tells the bulk the line ended, by signal: when it was given `reportTo` (lines of runs before their results were
 * awaited), or when it was held (the run that started it may have continued as new since; the current run waits for
 * this report). A line awaited by its run and never held reports by its result only.
 */
async function reportToBulk(input: PayoutTransferInput, status: LineReport['status'], wasHeld: boolean): Promise<void> {
  const bulk = input.reportTo ?? (wasHeld ? workflowInfo().parent?.workflowId : undefined);
  if (!bulk || input.lineNumber === undefined) return;
  try {
    await getExternalWorkflowHandle(bulk).signal(lineFinishedSignal, { lineNumber: input.lineNumber, status });
  } catch {
    // The bulk workflow is closed (this line was re-run by hand after the bulk ended): nobody to tell.
  }
}

/** The line is held: its bulk frees its place and waits for its end. */
async function tellBulkHeld(input: PayoutTransferInput, holdDeadline: string): Promise<void> {
  const bulk = input.reportTo ?? workflowInfo().parent?.workflowId;
  if (!bulk || input.lineNumber === undefined) return;
  try {
    await getExternalWorkflowHandle(bulk).signal(lineHeldSignal, {
      lineNumber: input.lineNumber,
      workflowId: workflowInfo().workflowId,
      holdDeadline,
    });
  } catch {
    // The bulk workflow is closed (a line re-run by hand): the hold is decided on this workflow all the same.
  }
}
