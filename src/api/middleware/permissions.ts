import type { Context } from 'koa';
import { AuthenticationError } from '../../errors';
import type { AuthenticatedUser } from '../context';

/** The caller established by `authenticate`; a route without it answers 401. */
export function currentUser(ctx: Context): AuthenticatedUser {
  const user = ctx.state.user;
  if (user) return user;
  throw new AuthenticationError('not_authenticated', {
    fr: "Les informations d'authentification n'ont pas été fournies ou sont invalides.",
    en: 'Authentication credentials were not provided or are invalid.',
  });
}
