/**
 * What crosses the Temporal boundary for a monthly pension run: the input its Schedule (or an operator) starts
 * `monthlyPensionRunWorkflow` with. Here rather than in the workflow's file, so the schedules' code reads it without
 * importing the workflow (and, through it, the activities).
 */
export interface MonthlyPensionRunInput {
  organizationId: number;
  payerAccountId: number;
  /** The organization's time zone, in which the scheduled time names a month. */
  timeZone?: string;
  /** YYYY-MM: pay this period rather than the one of the scheduled time (a late or corrective run). */
  period?: string;
}

/** Small on purpose: it travels through workflow history. The held-out list stays in the database. */
export interface PeriodBulkOutcome {
  period: string;
  state: PensionRunState;
  bulkId: string | null;
  /** False when an earlier trigger had already built (or failed) this period's run. */
  created: boolean;
  failureReason: string | null;
  eligible: number;
  heldOut: number;
}

export interface PeriodBulkInput {
  organizationId: number;
  payerAccountId: number;
  /** YYYY-MM */
  period: string;
}

export type PensionRunState = 'PROCESSING' | 'COMPLETED' | 'FAILED';
