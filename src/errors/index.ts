/**
 * Errors the API answers with. Each carries its HTTP status, a stable machine-readable code (English, never
 * translated: clients and tests branch on it) and a human message in French and English; `details` may hold
 * Messages too. src/api/middleware/errorHandler.ts is the one place they become responses
 * `{error: {code, message, details?}}`, in the request's language. Every subclass is built the same way,
 * `new XError(code, message, details?)`: it only fixes the status.
 */
import type { Message } from '../i18n/message';

export type { Message } from '../i18n/message';

export class AppError extends Error {
  /** In both languages; `Error.message` (what logs show) is the English one. */
  readonly localized: Message;

  constructor(
    readonly status: number,
    readonly code: string,
    message: Message,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message.en);
    this.localized = message;
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(code: string, message: Message, details?: unknown) {
    super(400, code, message, details);
  }
}

export class AuthenticationError extends AppError {
  constructor(code: string, message: Message, details?: unknown) {
    super(401, code, message, details);
  }
}

export class PermissionDeniedError extends AppError {
  constructor(code: string, message: Message, details?: unknown) {
    super(403, code, message, details);
  }
}

/** Also answered for resources of another organization, so their existence is not disclosed. */
export class NotFoundError extends AppError {
  constructor(code: string, message: Message, details?: unknown) {
    super(404, code, message, details);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: Message, details?: unknown) {
    super(409, code, message, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(code: string, message: Message, details?: unknown) {
    super(413, code, message, details);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(code: string, message: Message, details?: unknown) {
    super(415, code, message, details);
  }
}

export class UnprocessableError extends AppError {
  constructor(code: string, message: Message, details?: unknown) {
    super(422, code, message, details);
  }
}

/** The wait is in the details (`retry_after_seconds`), which is also where the Retry-After header comes from. */
export class RateLimitedError extends AppError {
  constructor(code: string, message: Message, details: { retry_after_seconds: number }) {
    super(429, code, message, details, { 'Retry-After': String(details.retry_after_seconds) });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(code: string, message: Message, details?: unknown) {
    super(503, code, message, details);
  }
}

/** The messages several places answer with, written once. */
export const MESSAGES = {
  notAuthenticated: {
    fr: "Les informations d'authentification sont absentes ou invalides.",
    en: 'Authentication credentials were not provided or are invalid.',
  },
  permissionDenied: {
    fr: "Vous n'avez pas la permission d'effectuer cette action.",
    en: 'You do not have permission to perform this action.',
  },
  notFound: { fr: 'Introuvable.', en: 'Not found.' },
  invalidInput: { fr: 'Données invalides.', en: 'Invalid input.' },
  tokenNotValid: { fr: 'Le jeton est invalide ou a expiré.', en: 'Token is invalid or expired.' },
  noOrganization: {
    fr: "Votre compte n'appartient à aucune organisation.",
    en: 'Your account belongs to no organization.',
  },
} satisfies Record<string, Message>;
