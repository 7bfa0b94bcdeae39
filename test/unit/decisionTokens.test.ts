import { generateKeyPairSync, sign } from 'node:crypto';
import {
  bytesToBase64Url,
  checkDecisionToken,
  type DecisionExpectation,
  encodeDecisionPayload,
  unverifiedDecisionPayload,
} from '../../src/payouts/rules/decisionTokens';
import { decisionPublicKeys, signDecisionToken, verifyDecisionToken } from '../../src/payouts/decisionTokenKeys';

const settings = { secretKey: 'unit-test-secret-key-that-is-long-enough-0123', decisionTokenLifetimeSeconds: 300 };
const other = { ...settings, secretKey: 'another-secret-key-that-is-long-enough-4567' };
const bulkId = '5b6a1c1e-9b7e-4f4c-8f7e-2d1c0b9a8f7e';
const now = new Date('2026-12-07T12:00:00Z');
const keys = decisionPublicKeys(settings.secretKey);
const expectation: DecisionExpectation = { act: 'approve', target: bulkId, keys, nowMs: now.getTime() };

/** A token signed by node:crypto with any Ed25519 key, for payloads the API would never sign. */
function tokenSignedBy(privateKey: Parameters<typeof sign>[2], payload: object): string {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${encoded}.${sign(null, Buffer.from(encoded, 'ascii'), privateKey).toString('base64url')}`;
}

describe('decision tokens', () => {
  const token = signDecisionToken(settings, { userId: 7, act: 'approve', target: bulkId, requestId: 'req-1' }, now);

  it('derives one stable public key from SECRET_KEY, another from another secret', () => {
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(decisionPublicKeys(settings.secretKey)).toEqual(keys);
    expect(decisionPublicKeys(other.secretKey)).not.toEqual(keys);
  });

  it('accepts a token signed for that user, decision and bulk, with the pure verifier and with node:crypto', () => {
    for (const check of [checkDecisionToken(token, expectation), verifyDecisionToken(token, expectation)]) {
      expect(check).toEqual({
        ok: true,
        payload: {
          v: 1,
          sub: 7,
          act: 'approve',
          target: bulkId,
          exp: now.getTime() / 1000 + 300,
          jti: expect.any(String),
          rid: 'req-1',
        },
      });
    }
    // A workflow whose keys are unknown reads the claims, unverified (its activity verifies).
    expect(unverifiedDecisionPayload(token)).toMatchObject({ sub: 7, act: 'approve', target: bulkId });
  });

  it('refuses a forged signature: a byte changed in the payload or in the signature', () => {
    const [payload = '', signature = ''] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const otherUser = `${Buffer.from(JSON.stringify({ ...claims, sub: 8 })).toString('base64url')}.${signature}`;
    expect(checkDecisionToken(otherUser, expectation)).toEqual({ ok: false, refusal: 'bad_signature' });
    expect(verifyDecisionToken(otherUser, expectation)).toEqual({ ok: false, refusal: 'bad_signature' });
    const flipped = `${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect(checkDecisionToken(flipped, expectation)).toEqual({ ok: false, refusal: 'bad_signature' });
  });

  it('refuses a token signed with another key, unless that key is listed (a rotation)', () => {
    const forged = signDecisionToken(other, { userId: 7, act: 'approve', target: bulkId }, now);
    expect(checkDecisionToken(forged, expectation)).toEqual({ ok: false, refusal: 'bad_signature' });
    expect(verifyDecisionToken(forged, expectation)).toEqual({ ok: false, refusal: 'bad_signature' });
    const { privateKey } = generateKeyPairSync('ed25519');
    const random = tokenSignedBy(privateKey, { v: 1, sub: 7, act: 'approve', target: bulkId, exp: 2e9, jti: 'x' });
    expect(checkDecisionToken(random, expectation)).toEqual({ ok: false, refusal: 'bad_signature' });
    const rotated = { ...expectation, keys: [...decisionPublicKeys(other.secretKey), ...keys] };
    expect(checkDecisionToken(forged, rotated).ok).toBe(true);
    expect(checkDecisionToken(token, rotated).ok).toBe(true);
  });

  it('refuses an expired token; an activity checking a decision accepted in time skips the expiry', () => {
    const expired = signDecisionToken(
      settings,
      { userId: 7, act: 'approve', target: bulkId },
      new Date(now.getTime() - 301_000),
    );
    expect(checkDecisionToken(expired, expectation)).toEqual({ ok: false, refusal: 'expired' });
    expect(verifyDecisionToken(expired, expectation)).toEqual({ ok: false, refusal: 'expired' });
    // Exactly at its expiry: refused.
    expect(checkDecisionToken(token, { ...expectation, nowMs: now.getTime() + 300_000 })).toEqual({
      ok: false,
      refusal: 'expired',
    });
    expect(verifyDecisionToken(expired, { ...expectation, nowMs: null }).ok).toBe(true);
  });

  it('refuses a token for another decision or another bulk', () => {
    const reject = signDecisionToken(settings, { userId: 7, act: 'reject', target: bulkId }, now);
    expect(checkDecisionToken(reject, expectation)).toEqual({ ok: false, refusal: 'wrong_action' });
    const otherBulk = signDecisionToken(settings, { userId: 7, act: 'approve', target: 'another-bulk' }, now);
    expect(checkDecisionToken(otherBulk, expectation)).toEqual({ ok: false, refusal: 'wrong_target' });
    expect(verifyDecisionToken(otherBulk, expectation)).toEqual({ ok: false, refusal: 'wrong_target' });
  });

  it('refuses a payload of the wrong shape even when properly signed: the user must be a positive integer', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const x = publicKey.export({ format: 'jwk' }).x!;
    const signedWith = { ...expectation, keys: [x] };
    const base = { v: 1, sub: 7, act: 'approve', target: bulkId, exp: 2e9, jti: 'j' };
    expect(checkDecisionToken(tokenSignedBy(privateKey, base), signedWith).ok).toBe(true);
    for (const payload of [
      { ...base, sub: '7' },
      { ...base, sub: 0 },
      { ...base, sub: 7.5 },
      { ...base, sub: null },
      { ...base, v: 2 },
      { ...base, act: 'delete' },
      { ...base, exp: '2000000000' },
      { ...base, admin: true },
      [base],
    ]) {
      expect(checkDecisionToken(tokenSignedBy(privateKey, payload), signedWith)).toEqual({
        ok: false,
        refusal: 'malformed',
      });
    }
  });

  it('refuses garbage', () => {
    const garbage: unknown[] = [
      undefined,
      null,
      7,
      { token },
      '',
      'abc',
      'a.b',
      `${token}.x`,
      `${token.split('.')[0]}.${'A'.repeat(85)}`,
      `${token.split('.')[0]}.${'A'.repeat(86)}`,
      `${'A'.repeat(3000)}.${token.split('.')[1]}`,
      token.replace('.', '=.'),
    ];
    for (const value of garbage) {
      expect(checkDecisionToken(value, expectation).ok).toBe(false);
      expect(verifyDecisionToken(value, expectation).ok).toBe(false);
      expect(checkDecisionToken(value, { ...expectation, keys: ['not-a-key'] }).ok).toBe(false);
    }
  });

  it('encodes payloads as ASCII, whatever characters the request id has', () => {
    const encoded = encodeDecisionPayload({
      v: 1,
      sub: 1,
      act: 'reject',
      target: 't',
      exp: 1,
      jti: 'j',
      rid: 'réq\u007f',
    });
    expect(Buffer.from(encoded, 'base64url').toString('latin1')).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(Buffer.from(encoded, 'base64url').toString()).rid).toBe('réq\u007f');
    for (const length of [0, 1, 2, 3, 4, 31, 32, 64]) {
      const bytes = Uint8Array.from({ length }, (_, index) => (index * 37 + 11) & 0xff);
      expect(bytesToBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
    }
  });
});
