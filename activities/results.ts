/** What payout activities return to workflows: a status and, when failed, a code. Kept small on purpose. */
export type FinalStepResult = { status: 'COMPLETED' } | { status: 'FAILED'; failureCode: string };

/** PROCESSING: the step is done and the next one may run. */
export type StepResult = { status: 'PROCESSING' } | FinalStepResult;

/** REDISCOVER: the adapter's transfer cannot reach a quote any more; start again from discovery (nothing moved). */
export type QuoteStepResult = StepResult | { status: 'REDISCOVER'; reason: string };

export interface BulkRun {
  state: 'PROCESSING' | 'COMPLETED' | 'FAILED';
  total: number;
  organizationCode: string;
  concurrency: number;
  pageSize: number;
}
