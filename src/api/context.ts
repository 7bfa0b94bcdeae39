import type { Logger } from 'pino';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import type { Language } from '../i18n/message';

export type { AuthenticatedUser } from '../auth/authenticatedUser';

declare module 'koa' {
  interface DefaultContext {
    log: Logger;
    requestId: string;
    /** Of the human messages in the answer; set by middleware/requestLanguage.ts. */
    language: Language;
  }
  interface DefaultState {
    user?: AuthenticatedUser;
    jwtPayload?: Record<string, unknown>;
  }
}
