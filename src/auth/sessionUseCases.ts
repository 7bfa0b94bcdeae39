/**
 * The use-cases of /api/auth: logging in, refreshing, logging out, reading one's profile, changing one's password. Login
 * answers the same 401 whatever was wrong (unknown email, wrong password, inactive account), and is rate limited
 * per IP and per email, as is a wrong current password at change-password.
 */
import { recordAudit } from '../audit/auditLog';
import { AuthenticationError } from '../errors';
import { User } from '../models';
import { organizationInactiveAuthError } from '../organizations/status';
import { notFound } from '../organizations/organizationScope';
import { auditContextOf, type RequestScope } from '../requests/requestScope';
import { changePassword, checkCredentials } from './credentialStore';
import type { AuthenticatedUser } from './authenticatedUser';
import { reserveLoginAttempt } from './loginAttemptStore';
import { issueTokenPair, revokeFamily, rotateRefreshToken } from './refreshTokenStore';
import { userProfile, userSummary } from './userShapes';

export async function logIn(scope: RequestScope, email: string, password: string) {
  const settings = scope.config.auth;
  const attempt = await reserveLoginAttempt(scope.db, settings, { ip: scope.ip, email });
  const checked = await checkCredentials(scope.db, email, password);
  if ('refused' in checked && checked.refused === 'invalid_credentials') {
    scope.log.info({ ip: scope.ip }, 'login refused');
    attempt.refuseIfEmailLimited();
    throw new AuthenticationError('invalid_credentials', {
      fr: 'Aucun compte actif ne correspond à ces identifiants.',
      en: 'No active account found with the given credentials.',
    });
  }
  // The right password is no guess: given back even when the organization is deactivated, so its users are not
  // also locked out by the limiter for a while once it is reactivated.
  await attempt.refund();
  if ('refused' in checked) {
    scope.log.info({ ip: scope.ip }, 'login refused: organization inactive');
    // Past the email's limit only a login tells the password is right; this refusal would tell it too.
    attempt.refuseIfEmailLimited();
    throw organizationInactiveAuthError();
  }
  const { user } = checked;
  const tokens = await issueTokenPair(scope.db, settings, user);
  scope.log.info({ userId: user.id }, 'login succeeded');
  return { ...tokens, user: userSummary(user) };
}

/**
 * Ends the caller's login on the server: its refresh token family is revoked, which also ends its access tokens
 * (this one included) at the next request. The user's other logins go on. Audited in the same transaction.
 */
export async function logOut(
  scope: RequestScope,
  caller: Pick<AuthenticatedUser, 'id' | 'email' | 'organizationId' | 'sessionId'>,
) {
  await scope.db.transaction(async (trx) => {
    await revokeFamily(trx, caller.sessionId);
    await recordAudit(trx, {
      ...auditContextOf(scope, caller),
      kind: 'user.logged_out',
      organizationId: caller.organizationId,
      subject: { type: 'user', id: caller.id },
      after: { session_id: caller.sessionId },
    });
  });
}

export function refreshSession(scope: RequestScope, refreshToken: string) {
  return rotateRefreshToken(scope.db, scope.config.auth, refreshToken);
}

export async function profileOf(scope: RequestScope, userId: number) {
  const user = await User.query(scope.db).findById(userId).withGraphFetched('organization');
  if (!user) throw notFound();
  return userProfile(user, user.organization ?? null);
}

export async function changeOwnPassword(
  scope: RequestScope,
  caller: { id: number; email: string },
  oldPassword: string,
  newPassword: string,
) {
  // A stolen access token must not become a way to guess the password without login's limit: the same
  // counters (per IP and per email), so guesses here and at login add up.
  const settings = scope.config.auth;
  const attempt = await reserveLoginAttempt(scope.db, settings, { ip: scope.ip, email: caller.email });
  const user = await changePassword(scope.db, caller.id, oldPassword, newPassword, {
    currentPasswordVerified: () => attempt.refund(),
    currentPasswordWrong: () => attempt.refuseIfEmailLimited(),
  });
  scope.log.info({ userId: user.id }, 'password changed');
  // Every earlier token is dead now (session_version moved on), including this request's: hand over new ones.
  return issueTokenPair(scope.db, settings, user);
}
