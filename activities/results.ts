/** What payout activities return to workflows: a status and, when failed, a code. Kept small on purpose. */
export type FinalStepResult = { status: 'COMPLETED' } | { status: 'FAILED'; failureCode: string };

/** PROCESSING: the step is done and the next one may run. */
export type StepResult = { status: 'PROCESSING' } | FinalStepResult;

/** ON_HOLD: the wallet's owner is not the pensioner expected; the line awaits a decision until `holdDeadline` (ISO). */
export type DiscoveryStepResult = StepResult | { status: 'ON_HOLD'; holdDeadline: string };

/** REDISCOVER: the adapter's transfer cannot reach a quote any more; start again from discovery (nothing moved). */
export type QuoteStepResult = StepResult | { status: 'REDISCOVER'; reason: string };

import type { LineRetry } from '../workflows/definitions';

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
  total: number;
  organizationCode: string;
  concurrency: number;
  pageSize: number;
  /** PayoutSettings.lineRetry, when set (tests). */
  lineRetry?: LineRetry;
}
