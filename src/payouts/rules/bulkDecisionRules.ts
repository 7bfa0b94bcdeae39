/**
 * The rules of acting on a bulk after it was created, as pure functions: who may approve it (maker-checker),
 * which failed lines are worth paying again, what a retried line is called at Mojaloop and in Temporal, and how a
 * cancelled bulk is described. No I/O: the API, the activities and the workflows all import it.
 */
import { isDefinitelyNotCommitted } from './transferStates';

/** Line failure codes we write ourselves (besides the Mojaloop codes). */
export const CANCELLED_CODE = 'cancelled';
export const APPROVAL_REJECTED_CODE = 'approval_rejected';
export const APPROVAL_EXPIRED_CODE = 'approval_expired';
/** A line whose workflow kept failing without making it final, through the bulk's last pass: failed unsent. */
export const LINE_UNRESOLVED_CODE = 'line_unresolved';
/** A line held because the wallet's owner is not the pensioner, rejected by a GESTIONNAIRE or by its deadline. */
export const NAME_MISMATCH_REJECTED_CODE = 'name_mismatch_rejected';

/**
 * Failures that say something about the moment rather than the payee, so paying again may succeed:
 * - ours: the switch stayed unreachable (nothing was sent), the switch aborted the transfer (nothing moved), the
 *   payee's provider asked a fee above our limit (a new quote may differ, the limit may have been raised);
 * - Mojaloop: expiries (33xx), liquidity of either FSP (4001, 5001), limits (4200, 5200: they reset), and the
 *   payee FSP refusing the transfer itself after accepting the quote (5104, 5105: the payee exists and agreed).
 * 1xxx/2xxx never end a line (they are retried at once), but are listed in case an old line carries one.
 */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'switch_unavailable',
  'transfer_aborted',
  'fee_limit_exceeded',
  // Our own: the line's workflow failed on every pass of its bulk (a bug, since fixed, or a bulk not payable at
  // the time) and the line was failed without ever being sent (the only lines failed so): paying again is safe.
  LINE_UNRESOLVED_CODE,
  '3300',
  '3301',
  '3302',
  '3303',
  '4001',
  '4200',
  '5001',
  '5104',
  '5105',
  '5200',
]);

/**
 * Whether a FAILED line may be paid again by retry-failed. An allow-list on purpose: anything else is permanent,
 * including 3204 (party not found) and every other 3xxx (the request itself, which a retry would send unchanged),
 * the payee's refusals of the quote or currency (5100-5103, 5106), its permission and blocked errors (5300, 5400),
 * our `cancelled` and approval codes (someone decided), `quote_mismatch` (the switch quoted another payment),
 * `transfer_not_found` (sent, and the switch could not say it was not committed: reconcile by hand), and any code
 * we do not know. A line whose transfer was sent needs more: see isWorthPayingAgain.
 */
export function isRetryableFailure(failureCode: string | null): boolean {
  if (failureCode === null) return false;
  if (/^[12]\d{3}$/.test(failureCode)) return true;
  return RETRYABLE_CODES.has(failureCode);
}

/**
 * Whether retry-failed pays a FAILED line again: its failure is worth retrying and, when its transfer was sent,
 * the switch said definitely that it was not committed. A sent line without that proof may have been paid.
 */
export function isWorthPayingAgain(line: { failureCode: string | null; sent: boolean }): boolean {
  if (!isRetryableFailure(line.failureCode)) return false;
  return !line.sent || isDefinitelyNotCommitted(line.failureCode);
}

/**
 * The id sent to Mojaloop as homeTransactionId. The first attempt sends the transfer id itself (as always); a
 * retry is a new transaction at the switch (the adapter cannot resume a failed one), so it gets its own id,
 * derived from the line and fixed in the database (the attempt number) before anything is sent.
 */
export function homeTransactionIdFor(transferId: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`An attempt is a whole number from 1, got ${attempt}`);
  return attempt === 1 ? transferId : `${transferId}-${attempt}`;
}

export type ApprovalRefusal = 'approval_by_creator' | 'approver_not_allowed';

export interface Approver {
  userId: number;
  organizationId: number | null;
  role: string;
  isStaff: boolean;
  isActive: boolean;
}

/** Who made the bulk's pending payment: its creator, and the user who asked its latest retry-failed (if any). */
export interface BulkMakers {
  organizationId: number;
  createdById: number | null;
  retryRequestedById?: number | null;
}

/**
 * Maker-checker: a bulk is approved or rejected by a second user of its organization, a GESTIONNAIRE or a staff
 * user, never by the one who created it (a bulk built by the monthly schedule has no creator: any of them), nor,
 * for a retry awaiting approval, by the one who asked the retry.
 */
export function approvalRefusal(approver: Approver, bulk: BulkMakers): ApprovalRefusal | null {
  if (!approver.isActive || approver.organizationId !== bulk.organizationId) return 'approver_not_allowed';
  if (approver.role !== 'GESTIONNAIRE' && !approver.isStaff) return 'approver_not_allowed';
  if (makerIdsOf(bulk).includes(approver.userId)) return 'approval_by_creator';
  return null;
}

/** The users who may not decide on the bulk's approval (see approvalRefusal). */
export function makerIdsOf(bulk: Omit<BulkMakers, 'organizationId'>): number[] {
  const ids = [bulk.createdById, bulk.retryRequestedById].filter((id): id is number => id !== null && id !== undefined);
  return [...new Set(ids)];
}

/** A cancel or a rejection as the bulk records it: who decided (a user of ours, or an operator). */
export interface RecordedDecisions {
  rejectedById: number | null;
  cancelledAt: Date | null;
  cancelledById: number | null;
  cancelledByOperator: string | null;
}

/**
 * Maker-checker covers retry-failed: in an organization that requires approval, a retry may not undo a second
 * user's decision. A bulk rejected at approval, or cancelled by anyone but the retry's requester (another user, an
 * operator), is not retried; a maker who cancelled their own bulk may ask (the retry then waits for approval).
 */
export function retryOverridesDecision(bulk: RecordedDecisions, requesterId: number | null): boolean {
  if (bulk.rejectedById !== null) return true;
  if (bulk.cancelledAt === null) return false;
  if (bulk.cancelledByOperator !== null || bulk.cancelledById === null) return true;
  return bulk.cancelledById !== requesterId;
}

/** Milliseconds from `now` to the deadline, never negative (a deadline in the past has passed: 0). */
export function msUntil(deadline: Date, now: Date): number {
  return Math.max(0, deadline.getTime() - now.getTime());
}

/** The failure reason of a bulk that ends FAILED after a cancel (nothing was paid). */
export function cancelledBulkReason(cancelledLines: number, total: number): string {
  return `Cancelled before any pension was paid: ${cancelledLines} of the ${total} transfers were not sent.`;
}
