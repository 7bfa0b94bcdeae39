/** /api/auth (src/api/routes/auth.ts): login, token refresh, profile, password change. */
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../auth/passwordPolicy';
import { USER_ROLES } from '../../models';
import { BEARER, errorResponse, jsonRequestBody, jsonResponse, nullable, object, PUBLIC, ref, responses } from './components';
import type { ApiArea, SchemaObject } from './types';

const TAG = 'auth';
const password: SchemaObject = { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH };
const jwt: SchemaObject = { type: 'string', minLength: 1, description: 'A signed JWT.' };

const schemas: Record<string, SchemaObject> = {
  UserSummary: object({
    id: { type: 'integer' },
    email: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    role: { type: 'string', enum: USER_ROLES },
  }),
  UserProfile: {
    allOf: [
      ref('UserSummary'),
      object({
        is_staff: { type: 'boolean' },
        phone_number: nullable({ type: 'string' }),
        must_change_password: { type: 'boolean', description: 'True until the temporary password is changed.' },
        organization: nullable(object({ id: { type: 'integer' }, code: { type: 'string' }, name: { type: 'string' } })),
      }),
    ],
  },
  TokenPair: object({
    access: { ...jwt, description: 'Access token: send it as `Authorization: Bearer <access>`.' },
    refresh: { ...jwt, description: 'Refresh token: single use; each refresh answers the next one.' },
  }),
  LoginRequest: object({
    email: { type: 'string', minLength: 1, maxLength: 254, description: 'Case-insensitive.' },
    password,
  }),
  LoginResponse: { allOf: [ref('TokenPair'), object({ user: ref('UserSummary') })] },
  RefreshRequest: object({ refresh: { type: 'string', minLength: 1, maxLength: 4096 } }),
  ChangePasswordRequest: object({
    old_password: password,
    new_password: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_PASSWORD_LENGTH,
      description: `At least ${MIN_PASSWORD_LENGTH} characters, different from the current password and from the email.`,
    },
  }),
  Message: object({ message: { type: 'string' } }),
  ChangePasswordResponse: { allOf: [ref('TokenPair'), object({ message: { type: 'string' } })] },
};

export const authArea: ApiArea = {
  tag: { name: TAG, description: 'Logging in, refreshing tokens, the caller\'s profile and password.' },
  schemas,
  paths: {
    '/api/auth/login': {
      post: {
        operationId: 'login',
        tags: [TAG],
        summary: 'Log in with email and password',
        description:
          'Answers the same 401 `invalid_credentials` whatever was wrong (unknown email, wrong password, inactive account). ' +
          'Right credentials of a user whose organization is deactivated: 401 `organization_inactive`. ' +
          'Failed attempts are limited per client IP and per email (LOGIN_RATE_LIMIT_*).',
        security: PUBLIC,
        requestBody: jsonRequestBody(ref('LoginRequest')),
        responses: {
          '200': jsonResponse('Logged in: an access token, the first refresh token of a new session, and who you are.', ref('LoginResponse')),
          '400': responses.invalidJsonBody,
          '401': errorResponse('No active account with these credentials, or its organization is deactivated.', {
            codes: ['invalid_credentials', 'organization_inactive'],
          }),
          '413': responses.jsonBodyTooLarge,
          '429': responses.rateLimited,
        },
      },
    },
    '/api/auth/token/refresh': {
      post: {
        operationId: 'refreshToken',
        tags: [TAG],
        summary: 'Exchange a refresh token for a new token pair',
        description:
          'Each refresh token is spent once. Presenting a spent one revokes every session of its login (`token_reused`): ' +
          'someone else holds a copy.',
        security: PUBLIC,
        requestBody: jsonRequestBody(ref('RefreshRequest')),
        responses: {
          '200': jsonResponse('A new access token and the next refresh token.', ref('TokenPair')),
          '400': responses.invalidJsonBody,
          '401': errorResponse('The refresh token is invalid, expired or already used, or the organization is deactivated.', {
            codes: ['token_not_valid', 'token_reused', 'organization_inactive'],
          }),
          '413': responses.jsonBodyTooLarge,
        },
      },
    },
    '/api/auth/profile': {
      get: {
        operationId: 'getProfile',
        tags: [TAG],
        summary: 'The signed-in user',
        description: 'Reachable with a temporary password, so a client can see `must_change_password`.',
        security: BEARER,
        responses: {
          '200': jsonResponse('The user and their organization.', ref('UserProfile')),
          '401': responses.unauthorized,
          '404': responses.notFound,
        },
      },
    },
    '/api/auth/change-password': {
      post: {
        operationId: 'changePassword',
        tags: [TAG],
        summary: 'Change your password',
        description:
          'Clears `must_change_password` and ends every session of the user (access tokens issued before stop working, ' +
          'refresh tokens are revoked); answers a fresh token pair so this session goes on. A wrong current password counts ' +
          'against the login limits (per client IP and per email); past them, 429 `rate_limited` as at login.',
        security: BEARER,
        requestBody: jsonRequestBody(ref('ChangePasswordRequest')),
        responses: {
          '200': jsonResponse('Changed; the new tokens replace the old ones.', ref('ChangePasswordResponse')),
          '400': responses.invalidJsonBody,
          '401': responses.unauthorized,
          '413': responses.jsonBodyTooLarge,
          '429': responses.rateLimited,
        },
      },
    },
  },
};
