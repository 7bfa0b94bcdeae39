/** /api/auth: login, token refresh, logout, profile, password change (src/auth/sessionUseCases.ts). */
import { changeOwnPassword, logIn, logOut, profileOf, refreshSession } from '../../auth/sessionUseCases';
import { textIn } from '../../i18n/message';
import { defineRoute } from '../http/routeDefinition';
import {
  ChangePasswordRequest,
  ChangePasswordResponse,
  LoginRequest,
  LoginResponse,
  RefreshRequest,
  TokenPair,
  UserProfile,
} from '../schemas/auth';

const tag = 'auth';
/** The routes a user with a temporary password may reach. */
const signedIn = { kind: 'user', guards: [], allowPendingPasswordChange: true } as const;

const login = defineRoute({
  method: 'post',
  path: '/api/auth/login',
  operationId: 'login',
  tag,
  summary: 'Log in with email and password',
  description:
    'Answers the same 401 `invalid_credentials` whatever was wrong (unknown email, wrong password, inactive account). ' +
    'Right credentials of a user whose organization is deactivated: 401 `organization_inactive`. ' +
    'Failed attempts are limited per client IP and per email (LOGIN_RATE_LIMIT_*): an address past its limit gets 429 ' +
    'before any password is checked; past the email limit the password is still checked, anything but a successful ' +
    'login is 429, and the right password from an address within its own limit logs in.',
  access: { kind: 'public' },
  body: { kind: 'json', schema: LoginRequest },
  answers: {
    200: {
      description: 'Logged in: an access token, the first refresh token of a new session, and who you are.',
      schema: LoginResponse,
    },
  },
  errors: { 401: ['invalid_credentials', 'organization_inactive'], 429: ['rate_limited'] },
  handler: async ({ scope, body }) => ({ status: 200, body: await logIn(scope, body.email, body.password) }),
});

const refresh = defineRoute({
  method: 'post',
  path: '/api/auth/token/refresh',
  operationId: 'refreshToken',
  tag,
  summary: 'Exchange a refresh token for a new token pair',
  description:
    'Each refresh token is spent once. Presenting a spent one revokes every session of its login (`token_reused`): someone else holds a copy.',
  access: { kind: 'public' },
  body: { kind: 'json', schema: RefreshRequest },
  answers: { 200: { description: 'A new access token and the next refresh token.', schema: TokenPair } },
  errors: { 401: ['token_not_valid', 'token_reused', 'organization_inactive'] },
  handler: async ({ scope, body }) => ({ status: 200, body: await refreshSession(scope, body.refresh) }),
});

const logout = defineRoute({
  method: 'post',
  path: '/api/auth/logout',
  operationId: 'logout',
  tag,
  summary: 'Log out: end this session on the server',
  description:
    "Revokes the caller's login (its refresh token family): its refresh tokens are refused and its access tokens, " +
    "this one included, stop working at once. The user's other logins go on. Recorded in the audit log " +
    '(`user.logged_out`). Reachable with a temporary password.',
  access: signedIn,
  answers: { 204: { description: 'Logged out.', empty: true } },
  handler: async ({ scope, user }) => {
    await logOut(scope, user);
    return { status: 204, body: null };
  },
});

const profile = defineRoute({
  method: 'get',
  path: '/api/auth/profile',
  operationId: 'getProfile',
  tag,
  summary: 'The signed-in user',
  description: 'Reachable with a temporary password, so a client can see `must_change_password`.',
  access: signedIn,
  answers: { 200: { description: 'The user and their organization.', schema: UserProfile } },
  errors: { 404: ['not_found'] },
  handler: async ({ scope, user }) => ({ status: 200, body: await profileOf(scope, user.id) }),
});

const changePassword = defineRoute({
  method: 'post',
  path: '/api/auth/change-password',
  operationId: 'changePassword',
  tag,
  summary: 'Change your password',
  description:
    'Clears `must_change_password` and ends every session of the user (access tokens issued before stop working, refresh ' +
    'tokens are revoked); answers a fresh token pair so this session goes on. A wrong current password counts against the ' +
    'login limits (per client IP and per email); past them, 429 `rate_limited` as at login.',
  access: signedIn,
  body: { kind: 'json', schema: ChangePasswordRequest },
  answers: { 200: { description: 'Changed; the new tokens replace the old ones.', schema: ChangePasswordResponse } },
  errors: { 429: ['rate_limited'] },
  handler: async ({ scope, user, body, language }) => {
    const tokens = await changeOwnPassword(scope, user, body.old_password, body.new_password);
    const message = textIn(PASSWORD_CHANGED, language);
    return { status: 200, body: { message, ...tokens } };
  },
});

const PASSWORD_CHANGED = {
  fr: 'Mot de passe modifié. Toutes les autres sessions ont été fermées ; utilisez les jetons de cette réponse.',
  en: 'Password changed. Every other session was signed out; use the tokens in this answer.',
};

export const authRoutes = [login, refresh, logout, profile, changePassword];
