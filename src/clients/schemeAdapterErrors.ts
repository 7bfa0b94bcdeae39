/**
 * How a failed call to the scheme adapter is classified. The rule:
 * - a Mojaloop error code in the answer (`statusCode` or `lastError.mojaloopError.errorInformation.errorCode`)
 *   is a MojaloopBusinessError: 3xxx (party/validation), 4xxx (payer), 5xxx (payee) are refusals that a retry
 *   cannot change; 1xxx/2xxx (communication/server) are carried too, and the caller decides (they are outages);
 * - everything else says nothing about the payment: connection refused or reset, our own timeout, a 5xx
 *   without a Mojaloop code, and the adapter's 504 when the switch did not answer in time. Those are
 *   PeerUnavailableError, retryable.
 */
export type AdapterStep = 'discover' | 'quote' | 'transfer' | 'lookup';

export class SchemeAdapterError extends Error {
  constructor(
    message: string,
    readonly step: AdapterStep,
    readonly retryable: boolean,
    readonly httpStatus: number | null,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class MojaloopBusinessError extends SchemeAdapterError {
  constructor(
    step: AdapterStep,
    readonly mojaloopCode: string,
    readonly description: string,
    httpStatus: number | null,
  ) {
    super(`Mojaloop error ${mojaloopCode} at ${step}: ${description}`, step, false, httpStatus);
  }
}

export class PeerUnavailableError extends SchemeAdapterError {
  constructor(step: AdapterStep, message: string, httpStatus: number | null = null) {
    super(message, step, true, httpStatus);
  }
}

/** Codes that mean "the switch did not answer in time", carried in the adapter's statusCode field. */
const TIMEOUT_STATUS_CODES = new Set(['504', '408']);

interface AdapterErrorBody {
  statusCode?: unknown;
  message?: unknown;
  transferState?: {
    lastError?: { httpStatusCode?: unknown; mojaloopError?: { errorInformation?: { errorCode?: unknown; errorDescription?: unknown } } };
  };
}

/** Reads an adapter error answer tolerantly (the switch's bodies carry extra fields). */
export function classifyAdapterError(step: AdapterStep, httpStatus: number, body: unknown): SchemeAdapterError {
  const parsed = (typeof body === 'object' && body !== null ? body : {}) as AdapterErrorBody;
  const info = parsed.transferState?.lastError?.mojaloopError?.errorInformation;
  const code = stringOrNull(info?.errorCode) ?? mojaloopCodeOrNull(parsed.statusCode);
  const description = stringOrNull(info?.errorDescription) ?? stringOrNull(parsed.message) ?? `HTTP ${httpStatus}`;
  if (code && !TIMEOUT_STATUS_CODES.has(code)) return new MojaloopBusinessError(step, code, description, httpStatus);
  return new PeerUnavailableError(step, `Scheme adapter answered ${httpStatus} at ${step}: ${description}`, httpStatus);
}

function stringOrNull(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** Mojaloop codes are four digits; an HTTP status in statusCode (e.g. "504") is not one. */
function mojaloopCodeOrNull(value: unknown): string | null {
  const text = stringOrNull(value);
  return text && /^\d{4}$/.test(text) ? text : null;
}
