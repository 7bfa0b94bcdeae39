import type { LineRetry } from '../../src/payouts/contract';

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

export interface BulkRun {
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
  total: number;
  organizationCode: string;
  concurrency: number;
  pageSize: number;
  /** PayoutSettings.lineRetry, when set (tests). */
  lineRetry?: LineRetry;
  /** PayoutSettings.overdueHoldGraceMs, when set (tests). */
  overdueHoldGraceMs?: number;
}
