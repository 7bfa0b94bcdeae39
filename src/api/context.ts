import type { Logger } from 'pino';
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
  }
  interface DefaultState {
    user?: AuthenticatedUser;
    jwtPayload?: Record<string, unknown>;
  }
}
