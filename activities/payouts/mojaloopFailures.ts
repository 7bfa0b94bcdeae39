/**
 * How an error from the scheme adapter is read by the payout steps. A definitive Mojaloop refusal (party not
 * found, quote or transfer rejected...) ends the line: it is never retried. Anything else (timeout, 5xx,
 * connection refused, a 1xxx/2xxx technical code) says nothing about the payment and is retried.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { MojaloopBusinessError } from '../../src/payouts/schemeAdapterErrors';
import { isDefinitiveRejection } from '../../src/payouts/rules/transferStates';
import type { MojaloopOutcome } from '../../src/metrics/workerMetrics';

export interface MojaloopRejection {
  code: string;
  message: string;
}

export function rejectionOf(error: unknown): MojaloopRejection | null {
  if (!(error instanceof MojaloopBusinessError)) return null;
  if (!isDefinitiveRejection(error.mojaloopCode)) return null;
  return { code: error.mojaloopCode, message: error.description || `Mojaloop error ${error.mojaloopCode}` };
}

/** For the call-duration metric. */
export function outcomeOfError(error: unknown): MojaloopOutcome {
  return error instanceof MojaloopBusinessError ? 'business_error' : 'unavailable';
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * A technical Mojaloop code (1xxx/2xxx) arrives as a MojaloopBusinessError, which the client marks as not
 * retryable; for the payment it is an outage like any other, so it is rethrown as a retryable failure.
 */
export function retryableFailure(error: unknown): unknown {
  if (!(error instanceof MojaloopBusinessError)) return error;
  return ApplicationFailure.retryable(
    `Mojaloop error ${error.mojaloopCode}: ${error.description}`,
    'MojaloopTechnicalError',
  );
}
