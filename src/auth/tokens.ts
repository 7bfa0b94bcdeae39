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
  iat: number;
  exp: number;
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

export function signAccessToken(
  settings: TokenSettings,
  userId: number,
  now: Date = new Date(),
  sessionVersion = 0,
): string {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: AccessTokenClaims = {
    type: 'access',
    sub: String(userId),
    ver: sessionVersion,
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
 * The user id of verified access-token claims (koa-jwt already checked signature and expiry).
 * A refresh token, or claims without a sane subject, are refused.
 */
export function userIdOfAccessClaims(payload: unknown): number {
  return accessClaimsOf(payload).userId;
}

/** The user id and session version of verified access-token claims; a token without `ver` is version 0. */
export function accessClaimsOf(payload: unknown): { userId: number; sessionVersion: number } {
  if (typeof payload !== 'object' || payload === null) throw invalidToken();
  const claims = payload as Record<string, unknown>;
  if (claims.type !== 'access' || !isUserIdClaim(claims.sub)) throw invalidToken();
  const version = claims.ver ?? 0;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) throw invalidToken();
  return { userId: Number(claims.sub), sessionVersion: version };
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

function invalidToken(): AuthenticationError {
  return new AuthenticationError('token_not_valid', MESSAGES.tokenNotValid);
}
