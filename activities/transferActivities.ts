/**
 * The three steps of paying one line through the scheme adapter, plus giving up on a line. Each step first reads
 * where the line is, so a retried or repeated step picks up where the last one stopped instead of redoing it.
 * Only confirmTransfer moves money, and it sends at most once (transfer_sent_at, see claimTransferSend).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { formatMinorUnits, parseMajorUnits } from '../src/domain/money';
import { checkFee, isFinalStatus, resolveSentTransfer } from '../src/domain/transferStates';
import {
  claimTransferSend,
  FinalOutcome,
  forgetPayeeDiscovery,
  loadPayoutTransfer,
  PayoutTransferRow,
  recordPayeeDiscovered,
  recordQuote,
  releaseTransferSend,
  settleTransfer,
} from '../src/payouts/ledger';
import { PeerUnavailableError } from '../src/clients/schemeAdapterErrors';
import { timeMojaloopCall } from '../src/metrics/workerMetrics';
import type { ActivityDependencies } from './dependencies';
import { describeError, outcomeOfError, rejectionOf, retryableFailure } from './mojaloopFailures';
import type { FinalStepResult, QuoteStepResult, StepResult } from './results';

export function createTransferActivities(deps: ActivityDependencies) {
  const { db, adapter, settings } = deps;
  const now = deps.now ?? (() => new Date());

  async function settle(transferId: string, outcome: FinalOutcome, options: { onlyIfNotSent?: boolean } = {}): Promise<StepResult> {
    const status = await settleTransfer(db, transferId, outcome, options);
    if (status === null) return { status: 'PROCESSING' };
    return resultOfFinalLine(transferId);
  }

  /** The result for a line already final, as stored (whoever made it final). */
  async function resultOfFinalLine(transferId: string): Promise<FinalStepResult> {
    const row = await db('individual_transfers')
      .where('transfer_id', transferId)
      .first<{ status: string; failure_code: string | null }>('status', 'failure_code');
    if (row.status === 'COMPLETED') return { status: 'COMPLETED' };
    return { status: 'FAILED', failureCode: row.failure_code ?? 'unknown' };
  }

  async function requireLine(transferId: string): Promise<PayoutTransferRow> {
    const row = await loadPayoutTransfer(db, transferId);
    if (!row) throw ApplicationFailure.nonRetryable(`Transfer ${transferId} does not exist`, 'TransferNotFound');
    return row;
  }

  /** Step 1: POST /transfers, the adapter looks the payee up. Records who will be paid; the line is PROCESSING. */
  async function discoverPayee(transferId: string): Promise<StepResult> {
    const line = await requireLine(transferId);
    if (isFinalStatus(line.status)) return resultOfFinalLine(transferId);
    if (line.mojaloop_transfer_id !== null) return { status: 'PROCESSING' };

    let started;
    try {
      started = await timeMojaloopCall(
        'discover',
        () =>
          adapter.startTransfer({
            // Our transfer id, fixed at upload: the adapter and the switch see the same id on every attempt.
            homeTransactionId: line.transfer_id,
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
      if (!rejection) throw retryableFailure(error);
      return settle(transferId, { status: 'FAILED', failureCode: rejection.code, failureMessage: rejection.message });
    }
    await recordPayeeDiscovered(db, transferId, {
      mojaloopTransferId: started.transferId,
      payeeName: started.payee?.name ?? null,
      payeeFspId: started.payee?.fspId ?? null,
    });
    return { status: 'PROCESSING' };
  }

  /**
   * Step 2: accept the party, the adapter asks the payee's provider for a quote. Records the quote and its fee;
   * a fee above the limit fails the line (nothing was sent, nothing moves).
   */
  async function requestQuote(transferId: string): Promise<QuoteStepResult> {
    const line = await requireLine(transferId);
    if (isFinalStatus(line.status)) return resultOfFinalLine(transferId);
    if (line.quote_id !== null || line.transfer_sent_at !== null) return { status: 'PROCESSING' };
    if (line.mojaloop_transfer_id === null) return { status: 'REDISCOVER', reason: 'no adapter transfer for this line' };
    const mojaloopTransferId = line.mojaloop_transfer_id;

    let quote;
    try {
      quote = await timeMojaloopCall('quote', () => adapter.acceptParty(mojaloopTransferId), { outcomeOfError });
    } catch (error) {
      const rejection = rejectionOf(error);
      if (rejection) return settle(transferId, { status: 'FAILED', failureCode: rejection.code, failureMessage: rejection.message });
      // No usable answer: the adapter's transfer has most likely gone to ERROR_OCCURRED and cannot be resumed.
      // Nothing was sent, so the workflow may safely start over with a new adapter transfer (same homeTransactionId).
      await forgetPayeeDiscovery(db, transferId, mojaloopTransferId);
      return { status: 'REDISCOVER', reason: describeError(error) };
    }

    const fee = readFee(quote.payeeFspFee);
    await recordQuote(db, transferId, mojaloopTransferId, {
      quoteId: quote.quoteId,
      feeAmount: fee.ok && fee.value !== null && fee.value.currency === line.currency ? fee.value.amount : null,
      quoteExpiration: quote.expiration ? new Date(quote.expiration) : null,
    });
    const check = fee.ok ? checkFee(fee.value, line.currency, settings.maxFeeMinorUnits) : fee;
    if (!check.ok) {
      return settle(transferId, { status: 'FAILED', failureCode: 'fee_limit_exceeded', failureMessage: check.message });
    }
    return { status: 'PROCESSING' };
  }

  /**
   * Step 3, the only one that moves money: accept the quote. transfer_sent_at is set before sending; if it was
   * already set, this is a retry or a restart after a crash and the transfer may have gone through, so the
   * switch is asked (GET) and the transfer is never sent again.
   */
  async function confirmTransfer(transferId: string): Promise<FinalStepResult> {
    const line = await requireLine(transferId);
    if (isFinalStatus(line.status)) return resultOfFinalLine(transferId);
    if (line.mojaloop_transfer_id === null || line.quote_id === null) {
      throw ApplicationFailure.nonRetryable(`Transfer ${transferId} has no accepted quote to confirm`, 'TransferNotQuoted');
    }
    const mojaloopTransferId = line.mojaloop_transfer_id;

    const mayBeSent = await claimTransferSend(db, transferId);
    if (!mayBeSent) return resolveAlreadySent(transferId, mojaloopTransferId, line.quote_expiration);

    let confirmed;
    try {
      confirmed = await timeMojaloopCall('transfer', () => adapter.acceptQuote(mojaloopTransferId), { outcomeOfError });
    } catch (error) {
      const rejection = rejectionOf(error);
      if (!rejection) {
        // A refused connection proves the request never left: release the claim so the retry sends it.
        if (error instanceof PeerUnavailableError && !error.outcomeUnknown) await releaseTransferSend(db, transferId);
        // Anything else leaves the outcome unknown: the retry will ask (transfer_sent_at is set).
        throw retryableFailure(error);
      }
      return final(await settle(transferId, { status: 'FAILED', failureCode: rejection.code, failureMessage: rejection.message }));
    }
    const outcome = resolveSentTransfer({ found: true, transferState: confirmed.transferState }, line.quote_expiration, now());
    if (outcome.status === 'UNKNOWN') throw ApplicationFailure.retryable(`${outcome.reason} Asking the switch next.`, 'TransferOutcomeUnknown');
    if (outcome.status === 'FAILED') return final(await settle(transferId, outcome));
    return final(
      await settle(transferId, {
        status: 'COMPLETED',
        fulfilment: confirmed.fulfilment ?? null,
        completedAt: confirmed.completedTimestamp ? new Date(confirmed.completedTimestamp) : null,
      }),
    );
  }

  async function resolveAlreadySent(transferId: string, mojaloopTransferId: string, quoteExpiration: Date | null): Promise<FinalStepResult> {
    const lookup = await timeMojaloopCall('lookup_outcome', () => adapter.getTransfer(mojaloopTransferId), { outcomeOfError });
    const outcome = resolveSentTransfer(lookup, quoteExpiration, now());
    if (outcome.status === 'UNKNOWN') throw ApplicationFailure.retryable(outcome.reason, 'TransferOutcomeUnknown');
    if (outcome.status === 'COMPLETED') {
      return final(await settle(transferId, { status: 'COMPLETED', fulfilment: null, completedAt: null }));
    }
    return final(await settle(transferId, outcome));
  }

  /** Gives up on a line that could not even be quoted (the switch stayed unreachable). Never on a sent line. */
  async function failTransfer(transferId: string, failureCode: string, failureMessage: string): Promise<StepResult> {
    return settle(transferId, { status: 'FAILED', failureCode, failureMessage }, { onlyIfNotSent: true });
  }

  return { discoverPayee, requestQuote, confirmTransfer, failTransfer };
}

function final(result: StepResult): FinalStepResult {
  if (result.status === 'PROCESSING') {
    // settleTransfer only declines when the line is not in a status it may leave: a bug, not an outage.
    throw ApplicationFailure.nonRetryable('The transfer could not be settled', 'SettlementRefused');
  }
  return result;
}

type FeeReading = { ok: true; value: { amount: bigint; currency: string } | null } | { ok: false; message: string };

function readFee(fee: { amount: string; currency: string } | null | undefined): FeeReading {
  if (!fee) return { ok: true, value: null };
  try {
    return { ok: true, value: { amount: parseMajorUnits(fee.amount, fee.currency), currency: fee.currency } };
  } catch (error) {
    return { ok: false, message: `The payee's provider fee "${fee.amount} ${fee.currency}" cannot be read (${describeError(error)}).` };
  }
}
