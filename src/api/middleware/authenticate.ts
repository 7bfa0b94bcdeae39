/**
 * Authentication of every protected route: `router.use(authenticate(deps))`, or per route.
 *
 * koa-jwt checks the Bearer access token's signature and expiry with the configured key and that one
 * algorithm only. The user is then read from the database on every request, so a deactivated or deleted
 * account is refused at once rather than when its token expires (401 `user_inactive`), as is a user of a
 * deactivated organization (401 `organization_inactive`, checked after the user so a deactivated user keeps its
 * own code), a token issued before the user's last password change (users.session_version), and a token of a login
 * that was ended (its refresh token family revoked: logout, a reused refresh token). Users who must change their password are
 * stopped with 403 `password_change_required` everywhere except the routes that let them do it.
 */
import type { Knex } from 'knex';
import type { Middleware } from 'koa';
import koaJwt from 'koa-jwt';
import { userWithSession } from '../../auth/refreshTokenStore';
import { accessClaimsOf } from '../../auth/tokens';
import type { Config } from '../../config';
import { AuthenticationError, MESSAGES, PermissionDeniedError } from '../../errors';
import type { User } from '../../models';
import { isOrganizationActive, organizationInactiveAuthError } from '../../organizations/status';
import type { AuthenticatedUser } from '../context';

export interface AuthenticateOptions {
  /** Only for profile and change-password: the routes a user with a temporary password may reach. */
  allowPendingPasswordChange?: boolean;
}

export function authenticate(deps: { config: Config; db: Knex }, options: AuthenticateOptions = {}): Middleware {
  const { config, db } = deps;
  const verifyAccessToken = koaJwt({
    secret: config.auth.secretKey,
    algorithms: [config.auth.algorithm],
    key: 'jwtPayload',
    // Failures are turned into our own error shape below.
    passthrough: true,
  });

  return async (ctx, next) => {
    await verifyAccessToken(ctx, async () => undefined);
    const payload = ctx.state.jwtPayload;
    if (!payload) {
      const tokenWasSent = /^Bearer \S+$/i.test(ctx.get('Authorization').trim());
      throw tokenWasSent
        ? new AuthenticationError('token_not_valid', MESSAGES.tokenNotValid)
        : new AuthenticationError('not_authenticated', MESSAGES.notAuthenticated);
    }

    const claims = accessClaimsOf(payload);
    const found = await userWithSession(db, claims.userId, claims.sessionId);
    if (!found || !found.user.is_active) {
      throw new AuthenticationError('user_inactive', {
        fr: 'Utilisateur introuvable ou désactivé.',
        en: 'User not found or inactive.',
      });
    }
    const { user, sessionLive } = found;
    if (!(await isOrganizationActive(db, user.organization_id))) throw organizationInactiveAuthError();
    if (claims.sessionVersion !== user.session_version) {
      throw new AuthenticationError('token_not_valid', {
        fr: 'Cette session a pris fin lors du changement de mot de passe ; reconnectez-vous.',
        en: 'This session ended when the password was changed; log in again.',
      });
    }
    if (!sessionLive) {
      throw new AuthenticationError('token_not_valid', {
        fr: 'Cette session a pris fin (déconnexion ou jeton de rafraîchissement réutilisé) ; reconnectez-vous.',
        en: 'This session has ended (signed out, or a refresh token was reused); log in again.',
      });
    }
    ctx.state.user = authenticatedUser(user, claims.sessionId);

    if (user.must_change_password && !options.allowPendingPasswordChange) {
      throw new PermissionDeniedError('password_change_required', {
        fr: "Vous devez d'abord changer votre mot de passe temporaire.",
        en: 'You must change your temporary password first.',
      });
    }
    await next();
  };
}

function authenticatedUser(user: User, sessionId: string): AuthenticatedUser {
  return {
    id: user.id,
    sessionId,
    email: user.email,
    role: user.role,
    isStaff: user.is_staff,
    organizationId: user.organization_id,
    mustChangePassword: user.must_change_password,
  };
}
