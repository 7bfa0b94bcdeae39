import jwt from 'jsonwebtoken';
import {
  signAccessToken,
  accessClaimsOf,
  signRefreshToken,
  type TokenSettings,
  verifyRefreshToken,
} from '../../src/auth/tokens';
import { AuthenticationError } from '../../src/errors';

const settings: TokenSettings = {
  secretKey: 'unit-test-secret-key-that-is-long-enough-0123',
  algorithm: 'HS256',
  accessTokenLifetimeMinutes: 5,
  refreshTokenLifetimeMinutes: 60,
};
const ids = {
  userId: 42,
  tokenId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  familyId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
};
const subject = { userId: 42, sessionVersion: 3, sessionId: ids.familyId };

function decode(token: string): { header: jwt.JwtHeader; payload: jwt.JwtPayload } {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw new Error('not a JWT');
  return { header: decoded.header, payload: decoded.payload };
}

function unsignedToken(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

describe('access tokens', () => {
  it('carry the user, their login, the access type and the configured lifetime, signed with the configured algorithm', () => {
    const now = new Date('2026-11-28T10:00:00Z');
    const { header, payload } = decode(signAccessToken(settings, subject, now));
    expect(header.alg).toBe('HS256');
    expect(payload).toMatchObject({
      type: 'access',
      sub: '42',
      ver: 3,
      sid: ids.familyId,
      iat: now.getTime() / 1000,
      exp: now.getTime() / 1000 + 300,
    });
  });

  it('give their subject only for access claims with a sane user and a login', () => {
    const sid = ids.familyId;
    expect(accessClaimsOf({ type: 'access', sub: '42', sid })).toEqual({
      userId: 42,
      sessionVersion: 0,
      sessionId: sid,
    });
    expect(accessClaimsOf({ type: 'access', sub: '42', ver: 3, sid })).toEqual(subject);
    for (const claims of [
      { type: 'refresh', sub: '42', sid },
      { sub: '42', sid },
      { type: 'access', sub: 42, sid },
      { type: 'access', sub: '0', sid },
      { type: 'access', sub: '42abc', sid },
      { type: 'access', sub: '99999999999', sid },
      { type: 'access', sub: '42', ver: -1, sid },
      // No login, or one that is no family id: nothing logout could end.
      { type: 'access', sub: '42' },
      { type: 'access', sub: '42', sid: 'not-a-uuid' },
      { type: 'access', sub: '42', sid: 7 },
      null,
      'access',
    ]) {
      expect(() => accessClaimsOf(claims)).toThrow(AuthenticationError);
    }
  });
});

describe('refresh tokens', () => {
  it('round-trip their ids and report when they expire', () => {
    const now = new Date('2026-11-28T10:00:00Z');
    const signed = signRefreshToken(settings, ids, now);
    expect(signed.expiresAt.toISOString()).toBe('2026-11-28T11:00:00.000Z');
    const claims = verifyRefreshToken({ ...settings }, signRefreshToken(settings, ids).token);
    expect(claims).toMatchObject({ type: 'refresh', sub: '42', jti: ids.tokenId, family: ids.familyId });
  });

  it('are refused when expired', () => {
    const longAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    expect(() => verifyRefreshToken(settings, signRefreshToken(settings, ids, longAgo).token)).toThrow(
      AuthenticationError,
    );
  });

  it('refuse an access token, another key, another algorithm, alg none and a modified payload', () => {
    const valid = signRefreshToken(settings, ids).token;
    const [header, , signature] = valid.split('.');
    const claims = decode(valid).payload;
    const forged = [
      signAccessToken(settings, subject),
      jwt.sign(claims, 'another-key-another-key-another-key', { algorithm: 'HS256' }),
      jwt.sign(claims, settings.secretKey, { algorithm: 'HS512' }),
      unsignedToken(claims),
      `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url')}.${signature}`,
      'not-a-token',
      '',
    ];
    for (const token of forged) {
      expect(() => verifyRefreshToken(settings, token)).toThrow(AuthenticationError);
    }
    expect(verifyRefreshToken(settings, valid).jti).toBe(ids.tokenId);
  });
});
