/**
 * The rules of paying one pension line, as pure functions: which status may follow which, what each final
 * status does to the payer's account, how a Mojaloop answer is read, and how a bulk ends. No I/O here: the
 * ledger turns these rules into guarded SQL, the workflows import them too (they run in Temporal's sandbox).
 */
import { type JournalKind, journalEffect } from '../../accounts/rules/journalRules';

export const TRANSFER_STATUSES = ['PENDING', 'PROCESSING', 'ON_HOLD', 'COMPLETED', 'FAILED'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];
export type FinalTransferStatus = Extract<TransferStatus, 'COMPLETED' | 'FAILED'>;

const NEXT_STATUSES: Readonly<Record<TransferStatus, readonly TransferStatus[]>> = {
  // PENDING -> FAILED happens when the line fails before the adapter knew of it (e.g. the switch stayed unreachable).
  // PENDING -> ON_HOLD: the payee found is not the pensioner expected (discovery records both at once).
  PENDING: ['PROCESSING', 'ON_HOLD', 'FAILED'],
  // PROCESSING -> PROCESSING: each step (payee found, quote received, transfer sent) records more of the same status.
  PROCESSING: ['PROCESSING', 'ON_HOLD', 'COMPLETED', 'FAILED'],
  // ON_HOLD: the wallet's owner is not the pensioner (src/payouts/rules/payeeNameMatch.ts). Nothing was sent; a decision
  // releases it (PROCESSING: found again, quoted and paid) or rejects it, as the hold's deadline does (FAILED).
  ON_HOLD: ['PROCESSING', 'FAILED'],
  COMPLETED: [],
  // Final for this attempt. retry-failed does not move a FAILED line on: it starts a new attempt of it (attempt + 1,
  // PENDING, a new identity at Mojaloop), recording the failed one (src/payouts/store/bulkStore.ts retryFailedLines).
  FAILED: [],
};

export function isFinalStatus(status: TransferStatus): status is FinalTransferStatus {
  return status === 'COMPLETED' || status === 'FAILED';
}

export function canTransition(from: TransferStatus, to: TransferStatus): boolean {
  return NEXT_STATUSES[from].includes(to);
}

/** The statuses a row must have for an UPDATE to `to` to be allowed: the guard of every status change in SQL. */
export function statusesAllowedBefore(to: TransferStatus): TransferStatus[] {
  return TRANSFER_STATUSES.filter((from) => canTransition(from, to));
}

/** What settling a line does to the payer account, in minor units (negative = decrease). */
export interface Settlement {
  balanceDelta: bigint;
  reservedDelta: bigint;
}

/** The journal entry that settles a line: a paid line is a `debit` (it consumes its hold), a failed one a `release`. */
export function settlementKind(status: FinalTransferStatus): Extract<JournalKind, 'debit' | 'release'> {
  return status === 'COMPLETED' ? 'debit' : 'release';
}

/**
 * The money was reserved at upload. A paid line leaves the account (balance and reservation both drop);
 * a failed line only gives its reservation back. Applied once, with the status change that makes the line final.
 * Defined by the journal's rules, so the two can never disagree.
 */
export function settlementFor(status: FinalTransferStatus, amount: bigint): Settlement {
  if (amount <= 0n) throw new RangeError(`A transfer amount must be positive, got ${amount}`);
  return journalEffect(settlementKind(status), amount);
}

/**
 * Mojaloop error codes by category: 1xxx communication and 2xxx server errors say nothing about the payment
 * itself (try again, or ask); 3xxx client, 4xxx payer and 5xxx payee errors are a definite "no".
 */
export function isDefinitiveRejection(mojaloopCode: string): boolean {
  return /^[345]\d{3}$/.test(mojaloopCode);
}

export type FeeCheck = { ok: true } | { ok: false; message: string };

/** The payee's provider fee must be in the transfer's currency and within the configured limit. */
export function checkFee(
  fee: { amount: bigint; currency: string } | null,
  transferCurrency: string,
  maxFeeMinorUnits: bigint,
): FeeCheck {
  if (fee === null || fee.amount === 0n) return { ok: true };
  if (fee.currency !== transferCurrency) {
    return { ok: false, message: `The payee's provider asks a fee in ${fee.currency}, not in ${transferCurrency}.` };
  }
  if (fee.amount > maxFeeMinorUnits) {
    return {
      ok: false,
      message: `The payee's provider asks a fee of ${fee.amount} ${fee.currency}, above the limit of ${maxFeeMinorUnits} ${fee.currency}.`,
    };
  }
  return { ok: true };
}

/** What the switch says about a transfer we already sent (GET /transfers/{id}). */
export interface SentTransferLookup {
  found: boolean;
  transferState?: string | null;
}

export type SentTransferOutcome =
  | { status: 'COMPLETED' }
  | { status: 'FAILED'; failureCode: string; failureMessage: string }
  | { status: 'UNKNOWN'; reason: string };

/**
 * After the transfer was sent, the only safe way to learn its outcome is to ask: COMMITTED is paid, ABORTED is
 * not. "Not found" only means "not paid" once the transfer's own expiration has passed (the expiry the adapter
 * put on the prepare, plus a margin for clock skew: see transferExpirationFor), since the switch commits nothing
 * after it; before, the transfer may still be on its way. Anything else (RECEIVED, RESERVED) is not an outcome yet.
 */
export function resolveSentTransfer(
  lookup: SentTransferLookup,
  transferExpiration: Date | null,
  now: Date,
): SentTransferOutcome {
  if (lookup.found && lookup.transferState === 'COMMITTED') return { status: 'COMPLETED' };
  if (lookup.found && lookup.transferState === 'ABORTED') {
    return {
      status: 'FAILED',
      failureCode: 'transfer_aborted',
      failureMessage: 'The switch reports the transfer as aborted.',
    };
  }
  if (!lookup.found) {
    if (transferExpiration !== null && now.getTime() > transferExpiration.getTime()) {
      return {
        status: 'FAILED',
        failureCode: 'transfer_not_found',
        failureMessage: 'The switch has no record of the transfer and its expiration has passed.',
      };
    }
    return { status: 'UNKNOWN', reason: 'The switch has no record of the transfer yet and it has not expired.' };
  }
  return {
    status: 'UNKNOWN',
    reason: `The switch reports the transfer as ${lookup.transferState ?? 'without a state'}.`,
  };
}

/**
 * Whether a line whose transfer was sent ended with a definite "not committed" from the switch: the transfer
 * aborted, or a business refusal (a 3xxx-5xxx Mojaloop code). Anything else (the switch did not know the transfer)
 * is not proof enough to send the pension again: retry-failed leaves such a line to be reconciled by hand.
 */
export function isDefinitelyNotCommitted(failureCode: string | null): boolean {
  if (failureCode === null) return false;
  return failureCode === 'transfer_aborted' || isDefinitiveRejection(failureCode);
}

export interface BulkCounts {
  total: number;
  completed: number;
  failed: number;
}

export type BulkOutcome =
  | { state: 'COMPLETED'; failureReason: null }
  | { state: 'FAILED'; failureReason: string }
  | { state: 'UNFINISHED'; unfinished: number };

/** A bulk ends when every line has ended: COMPLETED if at least one pension was paid, FAILED if none was. */
export function bulkOutcome(counts: BulkCounts): BulkOutcome {
  const unfinished = counts.total - counts.completed - counts.failed;
  if (unfinished > 0) return { state: 'UNFINISHED', unfinished };
  if (counts.completed > 0) return { state: 'COMPLETED', failureReason: null };
  return { state: 'FAILED', failureReason: `None of the ${counts.total} transfers was paid.` };
}
