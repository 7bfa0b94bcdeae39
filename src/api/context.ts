import type { Logger } from 'pino';
import type { AuthenticatedUser } from '../auth/authenticatedUser';

export type { AuthenticatedUser } from '../auth/authenticatedUser';

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
