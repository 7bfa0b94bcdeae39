/**
 * /api/auth: login, token refresh, profile, password change. Login answers the same 401 whatever was
 * wrong (unknown email, wrong password, inactive account), and is rate limited per IP and per email, as is a
 * wrong current password at change-password.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { z } from 'zod';
import { changePassword, checkCredentials } from '../../auth/accounts';
import { parseBody } from '../../auth/bodyValidation';
import { reserveLoginAttempt } from '../../auth/loginRateLimiter';
import { MAX_PASSWORD_LENGTH } from '../../auth/passwordPolicy';
import { issueTokenPair, rotateRefreshToken } from '../../auth/refreshTokens';
import type { Config } from '../../config';
import { db } from '../../db/knex';
import { AuthenticationError, MESSAGES, NotFoundError } from '../../errors';
import { Organization, User } from '../../models';
import { organizationInactiveAuthError } from '../../organizations/status';
import type { AppDependencies } from '../app';
import { authenticate } from '../middleware/authenticate';
import { currentUser } from '../middleware/permissions';

const password = z.string().min(1).max(MAX_PASSWORD_LENGTH);
const LoginBody = z.object({ email: z.string().trim().min(1).max(254), password });
const RefreshBody = z.object({ refresh: z.string().min(1).max(4096) });
const ChangePasswordBody = z.object({ old_password: password, new_password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });

/** JSON bodies only, within REQUEST_BODY_LIMIT_KB. Mounted per route: uploads parse their own bodies. */
export function jsonBody(config: Config): Middleware {
  return koaBody({ json: true, jsonLimit: `${config.http.jsonBodyLimitKb}kb`, urlencoded: false, text: false, multipart: false });
}

export function authRouter(deps: AppDependencies): Router {
  const router = new Router({ prefix: '/api/auth' });
  const settings = deps.config.auth;
  const json = jsonBody(deps.config);
  const signedIn = authenticate(deps.config, { allowPendingPasswordChange: true });

  router.post('/login', json, async (ctx) => {
    const body = parseBody(LoginBody, ctx.request.body, ctx.language);
    const attempt = await reserveLoginAttempt(db(), settings, { ip: ctx.ip, email: body.email });
    const checked = await checkCredentials(body.email, body.password);
    if ('refused' in checked && checked.refused === 'invalid_credentials') {
      ctx.log.info({ ip: ctx.ip }, 'login refused');
      throw new AuthenticationError('invalid_credentials', {
        fr: 'Aucun compte actif ne correspond à ces identifiants.',
        en: 'No active account found with the given credentials.',
      });
    }
    // The right password is no guess: given back even when the organization is deactivated, so its users are not
    // also locked out by the limiter for a while once it is reactivated.
    await attempt.refund();
    if ('refused' in checked) {
      ctx.log.info({ ip: ctx.ip }, 'login refused: organization inactive');
      throw organizationInactiveAuthError();
    }
    const { user } = checked;
    const tokens = await issueTokenPair(settings, user);
    ctx.log.info({ userId: user.id }, 'login succeeded');
    ctx.body = { ...tokens, user: userSummary(user) };
  });

  router.post('/token/refresh', json, async (ctx) => {
    const body = parseBody(RefreshBody, ctx.request.body, ctx.language);
    ctx.body = await rotateRefreshToken(settings, body.refresh);
  });

  router.get('/profile', signedIn, async (ctx) => {
    const user = await User.query().findById(currentUser(ctx).id).withGraphFetched('organization');
    if (!user) throw new NotFoundError('not_found', MESSAGES.notFound);
    ctx.body = userProfile(user, user.organization ?? null);
  });

  router.post('/change-password', signedIn, json, async (ctx) => {
    const body = parseBody(ChangePasswordBody, ctx.request.body, ctx.language);
    const caller = currentUser(ctx);
    // A stolen access token must not become a way to guess the password without login's limit: the same
    // counters (per IP and per email), so guesses here and at login add up.
    const attempt = await reserveLoginAttempt(db(), settings, { ip: ctx.ip, email: caller.email });
    const user = await changePassword(caller.id, body.old_password, body.new_password, { currentPasswordVerified: () => attempt.refund() });
    ctx.log.info({ userId: user.id }, 'password changed');
    // Every earlier token is dead now (session_version moved on), including this request's: hand over new ones.
    const tokens = await issueTokenPair(settings, user);
    const message = {
      fr: 'Mot de passe changé. Toutes les autres sessions ont été déconnectées ; utilisez les jetons de cette réponse.',
      en: 'Password changed. Every other session was signed out; use the tokens in this answer.',
    };
    ctx.body = { message: message[ctx.language], ...tokens };
  });

  return router;
}

export function userSummary(user: User) {
  return { id: user.id, email: user.email, first_name: user.first_name, last_name: user.last_name, role: user.role };
}

export function userProfile(user: User, organization: Organization | null) {
  return {
    ...userSummary(user),
    is_staff: user.is_staff,
    phone_number: user.phone_number,
    must_change_password: user.must_change_password,
    organization: organization ? { id: organization.id, code: organization.code, name: organization.name } : null,
  };
}
