/**
 * How a failed call to the scheme adapter's outbound API is classified.
 *
 * The Mojaloop error code is read from the answer tolerantly: `transferState.lastError.mojaloopError.
 * errorInformation.errorCode` first, else the body's `statusCode` when it is four digits (the adapter puts the
 * HTTP status there, e.g. "504", when it has no Mojaloop code). The adapter answers HTTP 500 for most switch
 * error callbacks (e.g. 500 + 3204), so the HTTP status alone says little.
 *
 * The rule:
 * - 3xxx (party / validation / quote-or-transfer-not-found), 4xxx (payer) and 5xxx (payee) codes are refusals by
 *   the switch or the payee that a retry cannot change: MojaloopBusinessError, `retryable: false`.
 * - 1xxx (communication) and 2xxx (server: 2001 internal, 2003 service unavailable, 2004 server timed out) codes
 *   are outages: PeerUnavailableError, `retryable: true`, with the code in `mojaloopCode`.
 * - Everything that carries no code says nothing about the payment: connection refused or reset, our own timeout,
 *   a 5xx without a code, the adapter's 504 when the switch did not answer in time, an answer we cannot read:
 *   PeerUnavailableError, `retryable: true`.
 * - A 4xx from the adapter itself without a code (its request validation, i.e. a bug on our side) is a
 *   MojaloopBusinessError with code 3100 (generic validation error) so it is not retried.
 *
 * `outcomeUnknown` is true when the failed call was `acceptQuote` (step 'transfer') and the transfer may have been
 * committed anyway (timeout, 5xx, 504, reset after sending): the caller must ask `getTransfer`, never re-send.
 */
export type AdapterStep = 'discover' | 'quote' | 'transfer' | 'lookup';

export type UnavailableReason =
  'connection_refused' | 'network' | 'timeout' | 'switch_timeout' | 'server_error' | 'not_resumable' | 'bad_response';

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
  readonly reason: UnavailableReason;
  /** A 1xxx/2xxx Mojaloop code when the switch sent one, else null. */
  readonly mojaloopCode: string | null;
  /** The call was acceptQuote and the money may have moved: resolve with getTransfer, do not re-send. */
  readonly outcomeUnknown: boolean;

  constructor(
    step: AdapterStep,
    message: string,
    httpStatus: number | null = null,
    details: { reason?: UnavailableReason; mojaloopCode?: string | null; cause?: unknown } = {},
  ) {
    super(message, step, true, httpStatus);
    this.reason = details.reason ?? (httpStatus === null ? 'network' : 'server_error');
    this.mojaloopCode = details.mojaloopCode ?? null;
    // Only a refused connection proves the request never reached the adapter.
    this.outcomeUnknown = step === 'transfer' && this.reason !== 'connection_refused';
    if (details.cause !== undefined) (this as { cause?: unknown }).cause = details.cause;
  }
}

interface AdapterErrorBody {
  statusCode?: unknown;
  message?: unknown;
  transferState?: {
    currentState?: unknown;
    lastError?: {
      httpStatusCode?: unknown;
      mojaloopError?: { errorInformation?: { errorCode?: unknown; errorDescription?: unknown } };
    };
  };
}

/** Reads a non-2xx adapter answer tolerantly (the switch's bodies carry extra fields) and classifies it. */
export function classifyAdapterError(step: AdapterStep, httpStatus: number, body: unknown): SchemeAdapterError {
  const parsed = (typeof body === 'object' && body !== null ? body : {}) as AdapterErrorBody;
  const info = parsed.transferState?.lastError?.mojaloopError?.errorInformation;
  const code = mojaloopCodeOrNull(info?.errorCode) ?? mojaloopCodeOrNull(parsed.statusCode);
  const description = stringOrNull(info?.errorDescription) ?? stringOrNull(parsed.message) ?? `HTTP ${httpStatus}`;
  if (code !== null) {
    if (/^[345]/.test(code)) return new MojaloopBusinessError(step, code, description, httpStatus);
    return new PeerUnavailableError(step, `Mojaloop error ${code} at ${step}: ${description}`, httpStatus, {
      reason: code === '2004' ? 'switch_timeout' : 'server_error',
      mojaloopCode: code,
    });
  }
  if (httpStatus === 504 || stringOrNull(parsed.statusCode) === '504') {
    return new PeerUnavailableError(
      step,
      `The switch did not answer in time at ${step} (adapter 504): ${description}`,
      httpStatus,
      {
        reason: 'switch_timeout',
      },
    );
  }
  if (httpStatus >= 400 && httpStatus < 500) {
    return new MojaloopBusinessError(
      step,
      '3100',
      `Scheme adapter refused the request (HTTP ${httpStatus}): ${description}`,
      httpStatus,
    );
  }
  return new PeerUnavailableError(
    step,
    `Scheme adapter answered ${httpStatus} at ${step}: ${description}`,
    httpStatus,
    {
      reason: 'server_error',
    },
  );
}

function stringOrNull(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** Mojaloop codes are four digits; an HTTP status in statusCode (e.g. "504") is not one. */
function mojaloopCodeOrNull(value: unknown): string | null {
  const text = stringOrNull(value);
  return text !== null && /^\d{4}$/.test(text) ? text : null;
}
