/**
 * Everything of the payout concern that crosses the Temporal boundary, in one place: workflow ids and types, search
 * attributes, the progress query, signals and updates, inputs and results of workflows and activities, and the
 * shapes of decisions (BulkActor, CancelOutcome, RetryOutcome). Workflows, activities, the API's client and the
 * stores all read it; it reads no store and no activity. No I/O here.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TransferStatus } from './rules/transferStates';

export const BULK_ID = defineSearchAttributeKey('BulkId', SearchAttributeType.KEYWORD);
export const ORGANIZATION_CODE = defineSearchAttributeKey('OrganizationCode', SearchAttributeType.KEYWORD);
export const PAYEE_IDENTIFIER = defineSearchAttributeKey('PayeeIdentifier', SearchAttributeType.KEYWORD);
export const PAYOUT_STATUS = defineSearchAttributeKey('PayoutStatus', SearchAttributeType.KEYWORD);

export const progressQuery = defineQuery<BulkProgress>('progress');

/** UNRESOLVED: the line's workflow failed without making the line final; the bulk retries it in its next pass. */
export interface LineReport {
  lineNumber: number;
  status: 'COMPLETED' | 'FAILED' | 'UNRESOLVED';
}

/**
 * A line held by the payee name check: sent by the line's workflow to its bulk's (by workflow id, so it reaches
 * whichever run is current), which frees the line's place in its window and waits for it before closing. The line
 * reports its end by lineFinished, since the run that started it may have continued as new by then.
 */
export interface LineHold {
  lineNumber: number;
  /** The held line's workflow: the bulk tells it when a cancel has failed it. */
  workflowId: string;
  /** ISO time: after it the line fails `name_mismatch_rejected` unless decided. */
  holdDeadline: string;
}
export const lineHeldSignal = defineSignal<[LineHold]>('lineHeld');

/** Sent by a cancelled bulk to its held lines: the cancel has failed them, they end. */
export const bulkCancelledSignal = defineSignal('bulkCancelled');

/**
 * Decisions on a held line, updates on the line's workflow, sent by the API only: each carries the decision token
 * the API signed for the deciding user, this line and this decision (src/payouts/rules/decisionTokens.ts); an update
 * without one (`{"userId": 7}` typed into the Web UI) is refused. The user must be a GESTIONNAIRE or staff user of
 * the organization, not the bulk's creator when the organization requires approval; a rejection needs a reason.
 * Answers the line's status after the decision.
 */
export interface HoldDecisionRequest {
  token: string;
  reason?: string;
}
export type HoldDecisionOutcome = { status: 'PROCESSING' } | { status: 'FAILED'; failureCode: string };
export const releaseHoldUpdate = defineUpdate<HoldDecisionOutcome, [HoldDecisionRequest]>('releaseHold');
export const rejectHoldUpdate = defineUpdate<HoldDecisionOutcome, [HoldDecisionRequest]>('rejectHold');

/**
 * Sent by a line's workflow to the bulk workflow (by workflow id, so it reaches whichever run is current), when
 * it was given `reportTo`: lines started by bulk runs from before they awaited their lines' results (see
 * AWAITED_LINES_PATCH in bulkPayoutWorkflow.ts), which could continue as new with lines in flight.
 */
export const lineFinishedSignal = defineSignal<[LineReport]>('lineFinished');

/**
 * Updates on the bulk workflow. Each is validated against where the workflow stands, then does its database work
 * in an activity; a refusal comes back as an ApplicationFailure whose type is the API's error code. Approve and
 * reject are sent by the API only, with the decision token it signed for the deciding user, this bulk and this
 * decision (src/payouts/rules/decisionTokens.ts): the user is the token's, never one named in the input. Cancel and
 * retry-failed carry such a token from the API too, or else an operator's name (`{"operator"}`, from the Web UI or
 * `temporal workflow update`, README "Operating"), recorded with the identity Temporal gives the sender.
 */
export interface ApprovalDecision {
  token: string;
}
export interface RejectionDecision extends ApprovalDecision {
  reason: string;
}
export const approveUpdate = defineUpdate<{ state: 'PROCESSING' }, [ApprovalDecision]>('approve');
export const rejectUpdate = defineUpdate<{ state: 'FAILED' }, [RejectionDecision]>('reject');
/** Stops sending: lines not sent yet are FAILED `cancelled`, lines in flight finish, the bulk then closes. */
export const cancelUpdate = defineUpdate<CancelOutcome, [BulkActor]>('cancel');
/**
 * Pays the retryable failed lines of an ended bulk again. The bulk's workflow has closed by then, so it is sent
 * as update-with-start: a new run of `bulk-<bulkId>` takes it (see src/payouts/payoutClient.ts).
 */
export const retryFailedUpdate = defineUpdate<RetryOutcome, [RetryFailedRequest]>('retryFailed');

/**
 * Who retries, and optionally the request's id (a UUID), fixed by a sender that may send the same request twice
 * (the operator's retry workflow, whose activity may be retried): the second answer is then the first one's.
 */
export type RetryFailedRequest = BulkActor & { requestId?: string };

export interface BulkSettings {
  total: number;
  organizationCode: string;
  concurrency: number;
  pageSize: number;
  /** How the lines' steps before sending are retried (LINE_STEP_RETRY_*); the line workflow's defaults when absent. */
  lineRetry?: LineRetry;
  /** How long after a hold's deadline the bulk fails the held line itself (PAYEE_HOLD_OVERDUE_GRACE_SECONDS); an hour when absent. */
  overdueHoldGraceMs?: number;
}

/**
 * The retry policy of a line's steps before money moves (discovery, quote) and the backoff between quote rounds.
 * Absent in production (the line workflow's defaults: 20 attempts, 1 s doubling to 30 s, about 8 minutes of an
 * unreachable adapter); a test sets it short to see a line give up in seconds. Never applies to sending.
 */
export interface LineRetry {
  maximumAttempts: number;
  initialIntervalMs: number;
  maximumIntervalMs: number;
}

export interface BulkPayoutInput {
  bulkId: string;
  /** The rest is carried by continue-as-new; a fresh start gives only the bulk id. */
  settings?: BulkSettings;
  /** Last line number already started or counted. */
  cursor?: number;
  counts?: { completed: number; failed: number };
  /** Lines whose workflows were started and have not reported yet (at most `concurrency`). */
  inFlight?: number[];
  /** Lines ON_HOLD, awaiting a decision: the bulk closes once each has ended. */
  held?: LineHold[];
  /** Passes over the bulk: a pass that ends with unfinished lines is followed by another, a bounded number of times. */
  pass?: number;
  /** A cancel was taken by an earlier run: start nothing more. */
  cancelled?: boolean;
}

export interface BulkPayoutResult {
  bulkId: string;
  state: 'COMPLETED' | 'FAILED';
  total: number;
  completed: number;
  failed: number;
}

export interface PayoutTransferInput {
  transferId: string;
  lineNumber?: number;
  /**
   * The line's attempt this workflow pays (its bulk gives it): its steps change nothing once the line is another
   * attempt. Absent (a workflow started by hand, or by a bulk run from before): the attempt its first step finds.
   */
  attempt?: number;
  /**
   * Workflow id of the bulk workflow to signal when the line ends; omitted for a line paid on its own and for a
   * line whose bulk run awaits its result.
   */
  reportTo?: string;
  /** See LineRetry; the defaults when absent. */
  retry?: LineRetry;
}

export interface PayoutTransferResult {
  transferId: string;
  status: 'COMPLETED' | 'FAILED';
  failureCode?: string;
}

/**
 * Who cancels or retries, as the update carries it: a user of ours, proven by the decision token the API signed
 * (src/payouts/rules/decisionTokens.ts), or an operator named in a Temporal Web UI / CLI update (no user of ours).
 */
export interface BulkActor {
  token?: string;
  operator?: string | null;
}

export interface CancelOutcome {
  /** Lines that will never be sent (FAILED `cancelled`), this cancel's and any earlier one's. */
  cancelled: number;
  /** Minor units given back to the payer account by those lines. */
  released: string;
}

export interface RetryOutcome {
  /**
   * Set when the retry left the bulk AWAITING_APPROVAL (its organization requires a second user's approval); absent
   * when it is PROCESSING, as every retry's outcome was before.
   */
  state?: 'AWAITING_APPROVAL';
  /** Lines made new attempts (PENDING again, their amount reserved again). */
  retried: number;
  /** Minor units reserved again. */
  reserved: string;
}

/** A page entry: what the bulk workflow needs to start (or skip) one line; never more. */
export interface TransferPageEntry {
  transferId: string;
  lineNumber: number;
  status: TransferStatus;
  /** The line's attempt: its child workflow id changes with it (a retried line is a new workflow). */
  attempt: number;
  payeeIdType: string;
  payeeIdentifier: string;
  /** Minor units, decimal string. */
  amount: string;
  currency: string;
  /** Only on a line ON_HOLD (ISO time): kept out of the others, since every page is recorded in the bulk's history. */
  holdDeadline?: string;
}

/** A decision on a held line as its workflow passes it on: the user is the token's. */
export interface HeldLineDecision {
  decision: 'release' | 'reject';
  token: string;
  reason?: string;
}

/** What payout activities return to workflows: a status and, when failed, a code. Kept small on purpose. */
export type FinalStepResult = { status: 'COMPLETED' } | { status: 'FAILED'; failureCode: string };

/** PROCESSING: the step is done and the next one may run. */
export type StepResult = { status: 'PROCESSING' } | FinalStepResult;

/**
 * The line a step acts on, as the line's workflow pins it: its attempt (absent until the first step reports it, for
 * a workflow started without one) and, once the steps before found them, the adapter transfer and the quote. A step
 * whose line has moved on from them changes nothing (LineMovedOn). Steps recorded before refs took the transfer id.
 */
export interface LineRef {
  transferId: string;
  attempt?: number;
  mojaloopTransferId?: string;
  quoteId?: string;
}

/**
 * PROCESSING: discovered, with the line's attempt and its adapter transfer (absent in results recorded before refs).
 * ON_HOLD: the wallet's owner is not the pensioner expected; the line awaits a decision until `holdDeadline` (ISO).
 */
export type DiscoveryStepResult =
  | { status: 'PROCESSING'; attempt?: number; mojaloopTransferId?: string }
  | FinalStepResult
  | { status: 'ON_HOLD'; holdDeadline: string; attempt?: number };

/**
 * PROCESSING: quoted, with the quote recorded (absent in results recorded before refs). REDISCOVER: the adapter's
 * transfer cannot reach a quote any more; start again from discovery (nothing moved).
 */
export type QuoteStepResult =
  { status: 'PROCESSING'; quoteId?: string } | FinalStepResult | { status: 'REDISCOVER'; reason: string };

/** What startBulk records for the bulk workflow: the bulk's state and approval, and the settings it runs with. */
export interface BulkRun extends BulkSettings {
  state: 'PENDING' | 'AWAITING_APPROVAL' | 'PROCESSING' | 'COMPLETED' | 'FAILED';
  /** Set while the bulk awaits approval (ISO time): the workflow waits until then. */
  approvalDeadline: string | null;
  /**
   * The public keys of decision tokens (base64url), for the workflow's validators of approve and reject; absent from
   * results recorded before tokens existed.
   */
  decisionKeys?: string[];
  /** Its creator may not approve it; null for a bulk built by the monthly schedule. */
  createdById: number | null;
  /**
   * Who may not approve or reject it: its creator and the user who asked its latest retry-failed. Absent from results
   * recorded before retries awaited approval (createdById alone then).
   */
  makerIds?: number[];
}

/** Live counts returned by the bulk workflow's `progress` query and by the database once it has closed. */
export interface BulkProgress {
  total: number;
  completed: number;
  failed: number;
  pending: number;
  processing: number;
  /** Lines ON_HOLD: the wallet's owner is not the pensioner; each awaits a release or a rejection. */
  held: number;
}

export const workflowIdForBulk = (bulkId: string): string => `bulk-${bulkId}`;

/**
 * One child workflow per line and attempt, readable in the Web UI; derived from the bulk, line and attempt, so a
 * re-run finds it. A line paid again by retry-failed is a new attempt and needs a new id: a line workflow that
 * completed may never run again under its id (ALLOW_DUPLICATE_FAILED_ONLY).
 */
export const workflowIdForLine = (bulkId: string, lineNumber: number, attempt = 1): string =>
  attempt === 1 ? `bulk-${bulkId}-line-${lineNumber}` : `bulk-${bulkId}-line-${lineNumber}-attempt-${attempt}`;

/**
 * The workflows as their callers see them: the API, activities and tests start and address them by name (the name is
 * recorded in every history), typed by these signatures instead of importing the workflows' code.
 */
export type BulkPayoutWorkflow = (input: BulkPayoutInput) => Promise<BulkPayoutResult>;
export type PayoutTransferWorkflow = (input: PayoutTransferInput) => Promise<PayoutTransferResult>;
