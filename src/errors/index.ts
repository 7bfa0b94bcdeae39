/**
 * Errors the API answers with. Each carries its HTTP status and a stable machine-readable code;
 * src/api/middleware/errorHandler.ts is the one place they become responses `{error: {code, message, details?}}`.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown, code = 'validation_error') {
    super(400, code, message, details);
  }
}

export class AuthenticationError extends AppError {
  constructor(message = 'Authentication credentials were not provided or are invalid.', code = 'not_authenticated') {
    super(401, code, message);
  }
}

export class PermissionDeniedError extends AppError {
  constructor(message = 'You do not have permission to perform this action.', code = 'permission_denied') {
    super(403, code, message);
  }
}

/** Also answered for resources of another organization, so their existence is not disclosed. */
export class NotFoundError extends AppError {
  constructor(message = 'Not found.', code = 'not_found') {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict', details?: unknown) {
    super(409, code, message, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string, code = 'payload_too_large', details?: unknown) {
    super(413, code, message, details);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string, code = 'unsupported_media_type') {
    super(415, code, message);
  }
}

export class UnprocessableError extends AppError {
  constructor(message: string, code: string, details?: unknown) {
    super(422, code, message, details);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, 'rate_limited', 'Too many attempts. Try again later.', { retry_after_seconds: retryAfterSeconds }, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string, code = 'service_unavailable', details?: unknown) {
    super(503, code, message, details);
  }
}
