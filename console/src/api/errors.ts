/** The API's error answer (`{"error": {"code", "message", "details"?}}`) as the console handles it. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }

  get code(): string {
    return this.body.code;
  }
}

/** What openapi-fetch gives back as `error` (the parsed body), made an ApiError; network failures included. */
export function toApiError(status: number, error: unknown): ApiError {
  if (typeof error === 'object' && error !== null && 'error' in error) {
    const inner = error.error;
    if (typeof inner === 'object' && inner !== null && 'code' in inner && 'message' in inner) {
      return new ApiError(status, inner as ApiErrorBody);
    }
  }
  return new ApiError(status, {
    code: status === 0 ? 'network_error' : 'unexpected_answer',
    message: answerText(error, status),
  });
}

/** An answer that is not the API's error body (a proxy's, say), as a message: never "[object Object]". */
function answerText(error: unknown, status: number): string {
  if (error === undefined || error === null) return String(status);
  if (typeof error === 'string') return error;
  if (error instanceof Error) return String(error);
  return JSON.stringify(error) ?? String(status);
}

/**
 * The data of an openapi-fetch answer, or throws its error as an ApiError. `response` is absent when fetch itself
 * failed (the network), which openapi-fetch lets throw: that is caught by the callers' error display.
 */
export function dataOf<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) throw toApiError(result.response.status, result.error);
  return result.data;
}
