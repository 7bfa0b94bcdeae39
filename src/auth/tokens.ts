/**
 * Signing and checking the JWTs. Access and refresh tokens share the key, so each carries its `type` and a
 * token is only ever accepted for its own purpose. Verification names the one configured algorithm, which
 * refuses `alg: none` and any algorithm swap.
 */
import jwt from 'jsonwebtoken';
import type { Config } from '../config';
import { AuthenticationError, MESSAGES } from '../errors';

export type TokenSettings = Pick<
  Config['auth'],
  'secretKey' | 'algorithm' | 'accessTokenLifetimeMinutes' | 'refreshTokenLifetimeMinutes'
>;

export interface AccessTokenClaims {
  type: 'access';
  /** The user id, as a string (JWT convention). */
  sub: string;
  /** users.session_version when the token was issued; a password change bumps it. */
  ver: number;
  /**
   * The login (refresh_tokens.family_id) the token was issued in: revoking the family (a reused refresh token,
   * logout) ends its access tokens too, not only its refresh tokens.
   */
  sid: string;
  iat: number;
  exp: number;
}

/** Who an access token is for, and in which login. */
export interface AccessTokenSubject {
  userId: number;
  sessionVersion: number;
  /** refresh_tokens.family_id */
  sessionId: string;
}

export interface RefreshTokenClaims {
  type: 'refresh';
  sub: string;
  /** refresh_tokens.id */
  jti: string;
  /** refresh_tokens.family_id: every token obtained by rotating one login. */
  family: string;
  iat: number;
  exp: number;
}

export interface SignedRefreshToken {
  token: string;
  expiresAt: Date;
}

export function signAccessToken(settings: TokenSettings, subject: AccessTokenSubject, now: Date = new Date()): string {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: AccessTokenClaims = {
    type: 'access',
    sub: String(subject.userId),
    ver: subject.sessionVersion,
    sid: subject.sessionId,
    iat,
    exp: iat + settings.accessTokenLifetimeMinutes * 60,
  };
  return jwt.sign(claims, settings.secretKey, { algorithm: settings.algorithm });
}

export function signRefreshToken(
  settings: TokenSettings,
  ids: { userId: number; tokenId: string; familyId: string },
  now: Date = new Date(),
): SignedRefreshToken {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + settings.refreshTokenLifetimeMinutes * 60;
  const claims: RefreshTokenClaims = {
    type: 'refresh',
    sub: String(ids.userId),
    jti: ids.tokenId,
    family: ids.familyId,
    iat,
    exp,
  };
  return {
    token: jwt.sign(claims, settings.secretKey, { algorithm: settings.algorithm }),
    expiresAt: new Date(exp * 1000),
  };
}

/** The claims of a valid refresh token; anything else (expired, forged, an access token) is a 401. */
export function verifyRefreshToken(settings: TokenSettings, token: string): RefreshTokenClaims {
  const payload = verifySignature(settings, token);
  if (
    payload.type !== 'refresh' ||
    !isUserIdClaim(payload.sub) ||
    typeof payload.jti !== 'string' ||
    typeof payload.family !== 'string'
  ) {
    throw invalidToken();
  }
  return payload as unknown as RefreshTokenClaims;
}

/**
 * The subject of verified access-token claims (koa-jwt already checked signature and expiry); a token without
 * `ver` is version 0. A refresh token, claims without a sane subject, and a token of no login (no `sid`: issued
 * before logins could end their access tokens, so logout could not end it) are refused; a client refreshes.
 */
export function accessClaimsOf(payload: unknown): AccessTokenSubject {
  if (typeof payload !== 'object' || payload === null) throw invalidToken();
  const claims = payload as Record<string, unknown>;
  if (claims.type !== 'access' || !isUserIdClaim(claims.sub) || !isSessionIdClaim(claims.sid)) throw invalidToken();
  const version = claims.ver ?? 0;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) throw invalidToken();
  return { userId: Number(claims.sub), sessionVersion: version, sessionId: claims.sid };
}

function verifySignature(settings: TokenSettings, token: string): Record<string, unknown> {
  try {
    const payload = jwt.verify(token, settings.secretKey, { algorithms: [settings.algorithm] });
    if (typeof payload !== 'object' || payload === null) throw invalidToken();
    return payload;
  } catch {
    throw invalidToken();
  }
}

/** users.id is a Postgres serial (int4). */
const MAX_SERIAL_ID = 2_147_483_647;

function isUserIdClaim(value: unknown): value is string {
  return typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value) && Number(value) <= MAX_SERIAL_ID;
}

/** refresh_tokens.family_id is a uuid column: anything else would be a Postgres error, not a refusal. */
function isSessionIdClaim(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function invalidToken(): AuthenticationError {
  return new AuthenticationError('token_not_valid', MESSAGES.tokenNotValid);
}
