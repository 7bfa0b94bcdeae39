/**
 * The three steps of paying one line through the scheme adapter, plus giving up on a line. Each step first reads
 * where the line is, so a retried or repeated step picks up where the last one stopped instead of redoing it.
 * Each step that talks to the switch first checks that the line's bulk is open for paying (src/payouts/rules/paymentGates.ts),
 * whoever started the line's workflow. Only confirmTransfer moves money: it checks the recorded quote against the
 * line again, and sends at most once, only while the bulk is payable (transfer_sent_at, see claimTransferSend).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import { buildConfig } from '../../src/config';
import { CANCELLED_CODE, homeTransactionIdFor } from '../../src/payouts/rules/bulkDecisionRules';
import { formatMinorUnits, parseMajorUnits } from '../../src/domain/money';
import {
  checkQuote,
  type PayabilityRefusal,
  payabilityRefusal,
  type QuoteFigures,
  readStoredQuoteFigures,
  storeQuoteFigures,
  transferExpirationFor,
} from '../../src/payouts/rules/paymentGates';
import { nameCheckPassed, payeeNameVerdict } from '../../src/payouts/rules/payeeNameMatch';
import { isFinalStatus, resolveSentTransfer } from '../../src/payouts/rules/transferStates';
import {
  claimTransferSend,
  type FinalOutcome,
  finalLineState,
  forgetPayeeDiscovery,
  type LinePin,
  loadPayoutTransfer,
  type PayoutTransferRow,
  recordPayeeDiscovered,
  type NameCheckOutcome,
  recordQuote,
  releaseTransferSend,
  type SettledLine,
  settleTransfer,
} from '../../src/payouts/store/lineStore';
import { PeerUnavailableError } from '../../src/payouts/schemeAdapterErrors';
import { logger } from '../../src/logging/logger';
import { timeMojaloopCall } from '../../src/metrics/workerMetrics';
import type { MoneyAmount, QuotedTransfer } from '../../src/payouts/schemeAdapterClient';
import type { ActivityTrace } from '../../src/payouts/rules/requestIdMemo';
import type { ActivityDependencies } from '../dependencies';
import { describeError, outcomeOfError, rejectionOf, retryableFailure } from './mojaloopFailures';
import { deliveryAnnouncer } from '../deliveryStarts';
import type {
  DiscoveryStepResult,
  FinalStepResult,
  LineRef,
  QuoteStepResult,
  StepResult,
} from '../../src/payouts/contract';

export function createTransferActivities(deps: ActivityDependencies) {
  const { db, adapter, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const transferExpiryMs = settings.transferExpiryMs ?? DEFAULT_TRANSFER_EXPIRY_MS;
  const nameCheck = settings.payeeNameCheck ?? DEFAULT_NAME_CHECK;
  const baseLog = deps.log ?? logger;
  const announced = deliveryAnnouncer(deps);

  /**
   * The log of one activity execution: every line names the bulk, the line's transfer, the line's workflow, the
   * activity and its attempt (from Temporal's activity info) and the API request that started the bulk (from the
   * trace the line's workflow passes, taken from its memo), so one grep on a request id or a transfer id finds it.
   */
  function activityLog(transferId: string, trace: ActivityTrace | undefined, line?: PayoutTransferRow): Logger {
    const info = Context.current().info;
    return baseLog.child({
      bulkId: line?.bulk_id,
      transferId,
      workflowId: info.workflowExecution?.workflowId,
      activity: info.activityType,
      activityAttempt: info.attempt,
      requestId: trace?.requestId,
    });
  }

  async function settle(
    transferId: string,
    outcome: FinalOutcome,
    options: { onlyIfNotSent?: boolean; pin?: LinePin } = {},
  ): Promise<StepResult> {
    const settled = await announced((deliveries) =>
      settleTransfer(db, transferId, outcome, { ...options, deliveries }),
    );
    if (settled === null) return { status: 'PROCESSING' };
    return finalResultOf(settled);
  }

  /** The result for a line already seen final, as stored (whoever made it final). */
  async function resultOfFinalLine(transferId: string): Promise<FinalStepResult> {
    // Open again since it was read (retry-failed made it a new attempt): this attempt ended failed.
    return finalResultOf((await finalLineState(db, transferId)) ?? { status: 'FAILED', failureCode: null });
  }

  async function requireLine(transferId: string): Promise<PayoutTransferRow> {
    const row = await loadPayoutTransfer(db, transferId);
    if (!row) throw ApplicationFailure.nonRetryable(`Transfer ${transferId} does not exist`, 'TransferNotFound');
    return row;
  }

  /**
   * A step whose line has moved on from what it acts on (another attempt, adapter transfer or quote: a retry, another
   * execution of the line) changes nothing and ends its workflow: the line belongs to the execution that moved it.
   */
  function refuseIfMovedOn(ref: LineRef, line: PayoutTransferRow, log: Logger): void {
    const reason = movedOnReason(ref, line);
    if (reason === null) return;
    log.warn(
      { reason, attempt: ref.attempt, mojaloopTransferId: ref.mojaloopTransferId },
      'line moved on: nothing done',
    );
    throw ApplicationFailure.nonRetryable(
      `Transfer ${ref.transferId} has moved on (${reason}): this execution changes nothing`,
      'LineMovedOn',
    );
  }

  /**
   * A pre-send step's guarded write changed nothing: the line moved on (LineMovedOn), ended, or another execution
   * of the same attempt went further (the result says where it stands; a sent line is left to the send path).
   */
  async function answerFromLine(ref: LineRef, log: Logger): Promise<PayoutTransferRow | FinalStepResult> {
    const current = await requireLine(ref.transferId);
    refuseIfMovedOn(ref, current, log);
    if (isFinalStatus(current.status))
      return logged(log, await resultOfFinalLine(ref.transferId), 'line final meanwhile');
    return current;
  }

  /**
   * A line whose bulk may not be paid: a cancelled bulk's unsent line ends `cancelled` (its money released); any
   * other refusal (awaiting approval, rejected, ended, organization deactivated) leaves the line as it is and
   * fails the step for good, so a line workflow started by hand around the bulk's workflow pays nothing.
   */
  async function refuseUnpayable(
    transferId: string,
    refusal: PayabilityRefusal,
    log: Logger,
    pin: LinePin = {},
  ): Promise<FinalStepResult> {
    if (refusal.code === 'bulk_cancelled') {
      const result = await settle(
        transferId,
        { status: 'FAILED', failureCode: CANCELLED_CODE, failureMessage: 'Cancelled before it was sent.' },
        { onlyIfNotSent: true, pin },
      );
      if (result.status !== 'PROCESSING') return logged(log, result, 'bulk cancelled: line not sent');
    }
    log.warn({ refusal: refusal.code }, 'bulk not payable: nothing sent');
    throw ApplicationFailure.nonRetryable(
      `Transfer ${transferId} is not paid: ${refusal.message}`,
      'BulkNotPayable',
      refusal,
    );
  }

  /**
   * Step 1: POST /transfers, the adapter looks the payee up. Records who will be paid and checks the owner's name
   * against the one expected: the line is PROCESSING, or ON_HOLD until a decision (nothing sent, money reserved).
   * Answers the attempt and the adapter transfer recorded (by this execution or another one of the same attempt).
   */
  async function discoverPayee(lineArg: LineArg, trace?: ActivityTrace): Promise<DiscoveryStepResult> {
    const line = await requireLine(refOf(lineArg).transferId);
    const ref: LineRef = { ...refOf(lineArg), attempt: refOf(lineArg).attempt ?? line.attempt };
    const { transferId } = ref;
    const log = activityLog(transferId, trace, line);
    refuseIfMovedOn(ref, line, log);
    if (isFinalStatus(line.status)) return logged(log, await resultOfFinalLine(transferId), 'line already final');
    if (line.status === 'ON_HOLD') return logged(log, onHold(line), 'line already on hold');
    const refusal = payabilityRefusal(line.bulk);
    if (refusal) return refuseUnpayable(transferId, refusal, log, { attempt: line.attempt });
    if (line.mojaloop_transfer_id !== null) return logged(log, discovered(line), 'payee already discovered');
    // This attempt, with no adapter transfer yet: a write that finds another one recorded changes nothing.
    const pin: LinePin = { attempt: line.attempt, mojaloopTransferId: null };

    let started;
    try {
      started = await timeMojaloopCall(
        'discover',
        () =>
          adapter.startTransfer({
            // Our transfer id, fixed at upload (and, for a line paid again by retry-failed, its attempt number, fixed
            // before the retry started): every try of one attempt shows the switch the same id, a new attempt a new one.
            homeTransactionId: homeTransactionIdFor(line.transfer_id, line.attempt),
            from: { idType: line.payer_party_id_type, idValue: line.payer_party_identifier },
            to: { idType: line.payee_party_id_type, idValue: line.payee_party_identifier },
            amount: formatMinorUnits(BigInt(line.amount), line.currency),
            currency: line.currency,
            note: `Pension payout, line ${line.line_number}`,
          }),
        { outcomeOfError },
      );
    } catch (error) {
      const rejection = rejectionOf(error);
      if (!rejection) throw retrying(log, error);
      // Never a sent line, never one another execution has gone further with: only the send path fails those.
      const outcome = { status: 'FAILED', failureCode: rejection.code, failureMessage: rejection.message } as const;
      const result = await settle(transferId, outcome, { onlyIfNotSent: true, pin });
      if (result.status !== 'PROCESSING') return logged(log, result, 'payee refused');
      const current = await answerFromLine(ref, log);
      return 'transfer_id' in current ? logged(log, discoveredOrHeld(current), 'payee refused, line went on') : current;
    }
    const verdict = payeeNameVerdict(
      { expectedName: line.expected_payee_name, releasedName: line.released_payee_name },
      started.payee.names,
      nameCheck.matchThreshold,
    );
    const outcome: NameCheckOutcome =
      verdict.kind === 'mismatch' ? { kind: 'held', score: verdict.score, holdMs: nameCheck.holdMs } : verdict;
    const recorded = await announced((deliveries) =>
      recordPayeeDiscovered(
        db,
        transferId,
        {
          mojaloopTransferId: started.transferId,
          payeeName: started.payee.name,
          payeeFspId: started.payee.fspId,
        },
        outcome,
        deliveries,
        pin,
      ),
    );
    log.info(
      { mojaloopTransferId: started.transferId, payeeFspId: started.payee.fspId, nameCheck: verdict.kind, recorded },
      'payee discovered',
    );
    if (recorded && verdict.kind !== 'mismatch')
      return { status: 'PROCESSING', attempt: line.attempt, mojaloopTransferId: started.transferId };
    // Held now, or the line moved meanwhile (a cancel, another execution's discovery): answer from where it stands.
    const current = await answerFromLine(ref, log);
    if (!('transfer_id' in current)) return current;
    return logged(log, discoveredOrHeld(current), recorded ? 'payee name mismatch: line on hold' : 'line went on');
  }

  function discovered(line: PayoutTransferRow): DiscoveryStepResult {
    return {
      status: 'PROCESSING',
      attempt: line.attempt,
      ...(line.mojaloop_transfer_id === null ? {} : { mojaloopTransferId: line.mojaloop_transfer_id }),
    };
  }

  function discoveredOrHeld(line: PayoutTransferRow): DiscoveryStepResult {
    return line.status === 'ON_HOLD' ? onHold(line) : discovered(line);
  }

  function onHold(line: PayoutTransferRow): DiscoveryStepResult {
    if (line.hold_deadline === null)
      throw ApplicationFailure.nonRetryable('A held line has no deadline', 'HoldCorrupt');
    return { status: 'ON_HOLD', holdDeadline: line.hold_deadline.toISOString(), attempt: line.attempt };
  }

  /**
   * Step 2: accept the party, the adapter asks the payee's provider for a quote. Records the quote and its figures;
   * a quote that is not the line's payment (amount, currency, fee) fails the line: nothing was sent, nothing moves.
   * The transfer step checks the recorded figures again, so a failure whose write was lost cannot be paid by a retry.
   * Acts on the adapter transfer discovery answered; answers the quote recorded.
   */
  async function requestQuote(lineArg: LineArg, trace?: ActivityTrace): Promise<QuoteStepResult> {
    const line = await requireLine(refOf(lineArg).transferId);
    const ref = pinnedRef(lineArg, line, ['mojaloopTransferId']);
    const { transferId } = ref;
    const log = activityLog(transferId, trace, line);
    refuseIfMovedOn(ref, line, log);
    if (isFinalStatus(line.status)) return logged(log, await resultOfFinalLine(transferId), 'line already final');
    if (line.quote_id !== null || line.transfer_sent_at !== null)
      return logged(log, quoted(line), 'quote already recorded');
    const refusal = payabilityRefusal(line.bulk);
    if (refusal) return refuseUnpayable(transferId, refusal, log, { attempt: line.attempt });
    if (line.mojaloop_transfer_id === null)
      return logged(log, { status: 'REDISCOVER', reason: 'no adapter transfer for this line' }, 'no adapter transfer');
    const mojaloopTransferId = line.mojaloop_transfer_id;
    // This attempt and adapter transfer, with no quote yet: a write that finds one recorded changes nothing.
    const pin: LinePin = { attempt: line.attempt, mojaloopTransferId, quoteId: null };

    let quote;
    try {
      quote = await timeMojaloopCall('quote', () => adapter.acceptParty(mojaloopTransferId), { outcomeOfError });
    } catch (error) {
      const rejection = rejectionOf(error);
      if (rejection) {
        const outcome = { status: 'FAILED', failureCode: rejection.code, failureMessage: rejection.message } as const;
        return failBeforeSending(ref, outcome, pin, log, 'quote refused');
      }
      // No usable answer: the adapter's transfer has most likely gone to ERROR_OCCURRED and cannot be resumed.
      // Nothing was sent, so the workflow may safely start over with a new adapter transfer (same homeTransactionId).
      await forgetPayeeDiscovery(db, transferId, mojaloopTransferId, pin);
      return logged(log, { status: 'REDISCOVER', reason: describeError(error) }, 'no quote, discovering again', 'warn');
    }

    const figures = readQuoteFigures(quote);
    if (!figures.ok) {
      // Not recorded: without a quote on record the transfer step can never send this adapter transfer.
      const outcome = { status: 'FAILED', failureCode: 'quote_mismatch', failureMessage: figures.message } as const;
      return failBeforeSending(ref, outcome, pin, log, 'quote unreadable');
    }
    const fee = figures.value.fee;
    const recorded = await recordQuote(
      db,
      transferId,
      mojaloopTransferId,
      {
        quoteId: quote.quoteId,
        feeAmount: fee !== null && fee.currency === line.currency ? fee.amount : null,
        quoteExpiration: quote.expiration ? new Date(quote.expiration) : null,
        figures: storeQuoteFigures(figures.value),
      },
      pin,
    );
    if (!recorded) {
      // Another execution of this attempt recorded its quote first (or the line moved on): the recorded one stands.
      const current = await answerFromLine(ref, log);
      return 'transfer_id' in current ? logged(log, quoted(current), 'quote recorded meanwhile') : current;
    }
    const check = checkQuote(
      { amount: BigInt(line.amount), currency: line.currency },
      figures.value,
      settings.maxFeeMinorUnits,
    );
    if (!check.ok) {
      const outcome = { status: 'FAILED', failureCode: check.code, failureMessage: check.message } as const;
      return failBeforeSending(ref, outcome, { ...pin, quoteId: quote.quoteId }, log, 'quote refused by our checks');
    }
    return logged(log, { status: 'PROCESSING', quoteId: quote.quoteId }, 'quote recorded');
  }

  function quoted(line: PayoutTransferRow): QuoteStepResult {
    return { status: 'PROCESSING', ...(line.quote_id === null ? {} : { quoteId: line.quote_id }) };
  }

  /**
   * Fails a line before anything was sent, as pinned: never a sent line (only the send path may fail one, on the
   * switch's definite answer), never one that moved on. Otherwise answers where the line stands.
   */
  async function failBeforeSending(
    ref: LineRef,
    outcome: Extract<FinalOutcome, { status: 'FAILED' }>,
    pin: LinePin,
    log: Logger,
    message: string,
  ): Promise<QuoteStepResult> {
    const result = await settle(ref.transferId, outcome, { onlyIfNotSent: true, pin });
    if (result.status !== 'PROCESSING') return logged(log, result, message);
    const current = await answerFromLine(ref, log);
    return 'transfer_id' in current ? logged(log, quoted(current), `${message}, but the line went on`) : current;
  }

  /**
   * Step 3, the only one that moves money: accept the quote. transfer_sent_at is set before sending; if it was
   * already set, this is a retry or a restart after a crash and the transfer may have gone through, so the
   * switch is asked (GET) and the transfer is never sent again. The send is claimed for the adapter transfer and
   * quote the steps before recorded (or, unpinned, this step read): a stale execution never sends an old one.
   */
  async function confirmTransfer(lineArg: LineArg, trace?: ActivityTrace): Promise<FinalStepResult> {
    const line = await requireLine(refOf(lineArg).transferId);
    const ref = pinnedRef(lineArg, line, ['mojaloopTransferId', 'quoteId']);
    const { transferId } = ref;
    const log = activityLog(transferId, trace, line);
    refuseIfMovedOn(ref, line, log);
    if (isFinalStatus(line.status)) return logged(log, await resultOfFinalLine(transferId), 'line already final');
    if (line.mojaloop_transfer_id === null || line.quote_id === null) {
      throw ApplicationFailure.nonRetryable(
        `Transfer ${transferId} has no accepted quote to confirm`,
        'TransferNotQuoted',
      );
    }
    const mojaloopTransferId = line.mojaloop_transfer_id;
    const pin = { attempt: line.attempt, mojaloopTransferId, quoteId: line.quote_id };
    if (line.transfer_sent_at !== null) return resolveSentByEarlierAttempt(transferId, pin, line, log);

    // The recorded quote, checked again here: the quote step's own refusal may not have been written.
    const figures = readStoredQuoteFigures(line.quote_figures);
    const check =
      figures === null
        ? ({
            ok: false,
            code: 'quote_mismatch',
            message: 'The quote was recorded without its figures: it cannot be checked.',
          } as const)
        : checkQuote({ amount: BigInt(line.amount), currency: line.currency }, figures, settings.maxFeeMinorUnits);
    if (!check.ok) {
      const outcome = { status: 'FAILED', failureCode: check.code, failureMessage: check.message } as const;
      const result = await settle(transferId, outcome, { onlyIfNotSent: true, pin });
      if (result.status !== 'PROCESSING') return logged(log, result, 'recorded quote refused');
      // Sent meanwhile by another execution of this quote (or moved on): its outcome is asked, never assumed.
      return resolveClaimedElsewhere(ref, pin, log);
    }

    // The payee name check, again here: a line whose owner was not the pensioner is paid only once released.
    const nameCheckInput = {
      expectedName: line.expected_payee_name,
      releasedName: line.released_payee_name,
      payeeName: line.payee_name,
      score: line.name_match_score,
    };
    if (!nameCheckPassed(nameCheckInput, nameCheck.matchThreshold)) {
      throw ApplicationFailure.nonRetryable(
        `Transfer ${transferId} is not paid: its payee's name was not checked or did not match, and no release was recorded`,
        'PayeeNotVerified',
      );
    }

    const claim = await claimTransferSend(db, transferId, transferExpiryMs, pin);
    if (!claim.claimed && claim.refusal) return refuseUnpayable(transferId, claim.refusal, log, pin);
    if (!claim.claimed) return resolveClaimedElsewhere(ref, pin, log);

    let confirmed;
    try {
      confirmed = await timeMojaloopCall('transfer', () => adapter.acceptQuote(mojaloopTransferId), { outcomeOfError });
    } catch (error) {
      const rejection = rejectionOf(error);
      if (!rejection) {
        // A refused connection proves the request never left: release the claim so the retry sends it.
        if (error instanceof PeerUnavailableError && !error.outcomeUnknown)
          await releaseTransferSend(db, transferId, pin);
        // Anything else leaves the outcome unknown: the retry will ask (transfer_sent_at is set).
        throw retrying(log, error);
      }
      const outcome = { status: 'FAILED', failureCode: rejection.code, failureMessage: rejection.message } as const;
      return logged(log, await settleSent(ref, outcome, pin, log), 'transfer refused');
    }
    const outcome = resolveSentTransfer({ found: true, transferState: confirmed.transferState }, null, now());
    if (outcome.status === 'UNKNOWN') {
      log.warn({ reason: outcome.reason }, 'transfer outcome unknown, asking the switch next');
      throw ApplicationFailure.retryable(`${outcome.reason} Asking the switch next.`, 'TransferOutcomeUnknown');
    }
    if (outcome.status === 'FAILED') return logged(log, await settleSent(ref, outcome, pin, log), 'transfer failed');
    const settled = await settleSent(
      ref,
      {
        status: 'COMPLETED',
        fulfilment: confirmed.fulfilment ?? null,
        completedAt: confirmed.completedTimestamp ? new Date(confirmed.completedTimestamp) : null,
      },
      pin,
      log,
    );
    return logged(log, settled, 'transfer confirmed');
  }

  /** The send path's settlement of the adapter transfer it sent or asked about, as pinned. */
  async function settleSent(ref: LineRef, outcome: FinalOutcome, pin: LinePin, log: Logger): Promise<FinalStepResult> {
    const result = await settle(ref.transferId, outcome, { pin });
    if (result.status !== 'PROCESSING') return result;
    refuseIfMovedOn(ref, await requireLine(ref.transferId), log);
    return final(result);
  }

  /** The send was not claimed: another execution claimed it (ask the switch, never re-send), or the line moved on. */
  async function resolveClaimedElsewhere(ref: LineRef, pin: SendPin, log: Logger): Promise<FinalStepResult> {
    const current = await requireLine(ref.transferId);
    refuseIfMovedOn(ref, current, log);
    if (isFinalStatus(current.status))
      return logged(log, await resultOfFinalLine(ref.transferId), 'line already final');
    return resolveSentByEarlierAttempt(ref.transferId, pin, current, log);
  }

  /** The transfer may have gone through (a retry, or a restart after a crash): ask the switch, never send again. */
  async function resolveSentByEarlierAttempt(
    transferId: string,
    pin: SendPin,
    line: PayoutTransferRow,
    log: Logger,
  ): Promise<FinalStepResult> {
    log.warn('transfer possibly sent by an earlier attempt: asking the switch instead of sending again');
    const expiration =
      line.transfer_expiration ??
      (line.transfer_sent_at ? transferExpirationFor(line.transfer_sent_at, transferExpiryMs) : null);
    return logged(log, await resolveAlreadySent(transferId, pin, expiration, log), 'outcome resolved');
  }

  async function resolveAlreadySent(
    transferId: string,
    pin: SendPin,
    transferExpiration: Date | null,
    log: Logger,
  ): Promise<FinalStepResult> {
    const lookup = await timeMojaloopCall('lookup_outcome', () => adapter.getTransfer(pin.mojaloopTransferId), {
      outcomeOfError,
    });
    const outcome = resolveSentTransfer(lookup, transferExpiration, now());
    if (outcome.status === 'UNKNOWN') throw ApplicationFailure.retryable(outcome.reason, 'TransferOutcomeUnknown');
    const ref: LineRef = { transferId, attempt: pin.attempt, mojaloopTransferId: pin.mojaloopTransferId };
    if (outcome.status === 'COMPLETED') {
      return settleSent(ref, { status: 'COMPLETED', fulfilment: null, completedAt: null }, pin, log);
    }
    return settleSent(ref, outcome, pin, log);
  }

  /**
   * Gives up on a line that could not even be quoted (the switch stayed unreachable). Never on a sent line, never
   * on a line that moved on from the attempt given.
   */
  async function failTransfer(
    lineArg: LineArg,
    failureCode: string,
    failureMessage: string,
    trace?: ActivityTrace,
  ): Promise<StepResult> {
    const ref = refOf(lineArg);
    const log = activityLog(ref.transferId, trace, (await loadPayoutTransfer(db, ref.transferId)) ?? undefined);
    const result = await settle(
      ref.transferId,
      { status: 'FAILED', failureCode, failureMessage },
      { onlyIfNotSent: true, pin: { attempt: ref.attempt } },
    );
    if (result.status === 'PROCESSING' && ref.attempt !== undefined)
      refuseIfMovedOn(ref, await requireLine(ref.transferId), log);
    return logged(log, result, 'giving up on the line', 'warn');
  }

  return { discoverPayee, requestQuote, confirmTransfer, failTransfer };
}

/** What the send path acts on: an adapter transfer, always known. */
type SendPin = LinePin & { mojaloopTransferId: string };

/** A step's line: a ref, or (steps recorded before refs) the transfer id alone, which pins nothing beforehand. */
type LineArg = string | LineRef;

function refOf(lineArg: LineArg): LineRef {
  return typeof lineArg === 'string' ? { transferId: lineArg } : lineArg;
}

/** The ref completed with what the step read: its attempt and the `keys` the caller did not pin yet. */
function pinnedRef(
  lineArg: LineArg,
  line: PayoutTransferRow,
  keys: ReadonlyArray<'mojaloopTransferId' | 'quoteId'>,
): LineRef {
  const ref = refOf(lineArg);
  const read = { mojaloopTransferId: line.mojaloop_transfer_id, quoteId: line.quote_id };
  const completed: LineRef = { ...ref, attempt: ref.attempt ?? line.attempt };
  for (const key of keys) completed[key] ??= read[key] ?? undefined;
  return completed;
}

/** Why the line is no longer what `ref` acts on, or null while it is. */
function movedOnReason(ref: LineRef, line: PayoutTransferRow): string | null {
  if (ref.attempt !== undefined && line.attempt !== ref.attempt)
    return `the line is at attempt ${line.attempt}, not ${ref.attempt}`;
  if (ref.mojaloopTransferId !== undefined && line.mojaloop_transfer_id !== ref.mojaloopTransferId)
    return `its adapter transfer is ${line.mojaloop_transfer_id ?? 'none'}, not ${ref.mojaloopTransferId}`;
  if (ref.quoteId !== undefined && line.quote_id !== ref.quoteId)
    return `its quote is ${line.quote_id ?? 'none'}, not ${ref.quoteId}`;
  return null;
}

/** Logs a step's result (status and failure code only: never amounts, payees or adapter payloads) and returns it. */
function logged<T extends QuoteStepResult | DiscoveryStepResult>(
  log: Logger,
  result: T,
  message: string,
  level: 'info' | 'warn' = 'info',
): T {
  const failureCode = 'failureCode' in result ? result.failureCode : undefined;
  log[level]({ status: result.status, failureCode }, message);
  return result;
}

/** A step that will be retried by Temporal: logged at warn with the error's description, then thrown. */
function retrying(log: Logger, error: unknown): unknown {
  log.warn({ error: describeError(error) }, 'step failed, Temporal retries it');
  return retryableFailure(error);
}

function finalResultOf(line: SettledLine): FinalStepResult {
  if (line.status === 'COMPLETED') return { status: 'COMPLETED' };
  return { status: 'FAILED', failureCode: line.failureCode ?? 'unknown' };
}

function final(result: StepResult): FinalStepResult {
  if (result.status === 'PROCESSING') {
    // settleTransfer only declines when the line is not in a status it may leave: a bug, not an outage.
    throw ApplicationFailure.nonRetryable('The transfer could not be settled', 'SettlementRefused');
  }
  return result;
}

/** The default of PayoutSettings.payeeNameCheck: the configuration's. */
const DEFAULT_NAME_CHECK = {
  matchThreshold: buildConfig({}).payeeNameCheck.matchThreshold,
  holdMs: buildConfig({}).payeeNameCheck.holdHours * 3_600_000,
};

/** The default of PayoutSettings.transferExpiryMs: the configuration's (the adapter's expiry plus the clock-skew margin). */
const DEFAULT_TRANSFER_EXPIRY_MS = buildConfig({}).mojaloop.transferExpiryMs;

type FiguresReading = { ok: true; value: QuoteFigures } | { ok: false; message: string };

/** The quote's amounts in minor units; a figure the switch sent that cannot be read fails the quote (never "no fee"). */
function readQuoteFigures(quote: QuotedTransfer): FiguresReading {
  try {
    return {
      ok: true,
      value: {
        transferAmount: readMoney(quote.transferAmount),
        payeeReceiveAmount: readMoney(quote.payeeReceiveAmount),
        fee: readMoney(quote.payeeFspFee),
      },
    };
  } catch (error) {
    return { ok: false, message: `The quote cannot be read (${describeError(error)}).` };
  }
}

function readMoney(money: MoneyAmount | null): { amount: bigint; currency: string } | null {
  if (money === null) return null;
  return { amount: parseMajorUnits(money.amount, money.currency), currency: money.currency };
}
