import type { Logger } from 'pino';
import type { Language } from '../i18n/message';
import type { UserRole } from '../models';

/** Who is calling, as established by the authentication middleware. */
export interface AuthenticatedUser {
  id: number;
  email: string;
  role: UserRole;
  isStaff: boolean;
  organizationId: number | null;
  mustChangePassword: boolean;
}

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
