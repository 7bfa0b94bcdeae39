/**
 * The key pair of decision tokens (src/payouts/rules/decisionTokens.ts), derived from SECRET_KEY with HKDF: no secret of
 * its own to configure, and production already refuses a default or missing SECRET_KEY. The API signs with the
 * private key; the workflows get the public one from their activities (never the secret), and the activities
 * verify each token again here with node:crypto before recording the decision.
 */
import { createPrivateKey, createPublicKey, hkdfSync, type KeyObject, randomUUID, sign, verify } from 'node:crypto';
import {
  base64UrlToBytes,
  checkDecisionToken,
  DECISION_TOKEN_REQUIRED,
  type DecisionAction,
  type DecisionExpectation,
  decisionTokenRefusalMessage,
  type DecisionTokenCheck,
  type DecisionTokenPayload,
  encodeDecisionPayload,
} from './rules/decisionTokens';
import { PermissionDeniedError } from '../errors';

/** Fixed: changing it changes the key pair, as a new SECRET_KEY does. */
const HKDF_SALT = 'pension-gateway';
const HKDF_INFO = 'decision-token-ed25519-v1';
/** PKCS#8 DER of an Ed25519 private key, before its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

interface DecisionKeyPair {
  privateKey: KeyObject;
  /** base64url of the raw 32-byte public key, as the workflows receive it. */
  publicKey: string;
}

const derived = new Map<string, DecisionKeyPair>();

function keyPairOf(secretKey: string): DecisionKeyPair {
  let pair = derived.get(secretKey);
  if (!pair) {
    const seed = Buffer.from(hkdfSync('sha256', secretKey, HKDF_SALT, HKDF_INFO, 32));
    const privateKey = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    if (typeof jwk.x !== 'string') throw new Error('Ed25519 public key without its x coordinate');
    pair = { privateKey, publicKey: jwk.x };
    derived.set(secretKey, pair);
  }
  return pair;
}

/**
 * The public keys decision tokens may be signed with (base64url), for the workflows and activities. A list, so a
 * rotation of SECRET_KEY can list the previous key beside the new one.
 */
export function decisionPublicKeys(secretKey: string): string[] {
  return [keyPairOf(secretKey).publicKey];
}

export interface DecisionTokenSettings {
  secretKey: string;
  /** How long a token is accepted after it is signed: it is sent at once, so a few minutes at most. */
  decisionTokenLifetimeSeconds: number;
}

export interface DecisionClaims {
  userId: number;
  act: DecisionAction;
  target: string;
  requestId?: string | null;
}

/** Signs a token for one user, one decision and one bulk or line, valid for the configured lifetime from `now`. */
export function signDecisionToken(settings: DecisionTokenSettings, claims: DecisionClaims, now = new Date()): string {
  const payload: DecisionTokenPayload = {
    v: 1,
    sub: claims.userId,
    act: claims.act,
    target: claims.target,
    exp: Math.floor(now.getTime() / 1000) + settings.decisionTokenLifetimeSeconds,
    jti: randomUUID(),
    ...(claims.requestId ? { rid: claims.requestId.slice(0, 200) } : {}),
  };
  const encoded = encodeDecisionPayload(payload);
  const signature = sign(null, Buffer.from(encoded, 'ascii'), keyPairOf(settings.secretKey).privateKey);
  return `${encoded}.${signature.toString('base64url')}`;
}

/**
 * The same checks as the workflow's (src/payouts/rules/decisionTokens.ts), the signature verified by node:crypto this
 * time: an activity's own proof of who decided, whatever its workflow accepted.
 */
export function verifyDecisionToken(token: unknown, expected: DecisionExpectation): DecisionTokenCheck {
  const check = checkDecisionToken(token, expected);
  if (!check.ok) return check;
  const [encoded = '', encodedSignature = ''] = (token as string).split('.');
  const signature = Buffer.from(encodedSignature, 'base64url');
  const signed = Buffer.from(encoded, 'ascii');
  const verified = expected.keys.some((key) => {
    const raw = base64UrlToBytes(key);
    if (!raw || raw.length !== 32) return false;
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key }, format: 'jwk' });
    return verify(null, signed, publicKey, signature);
  });
  return verified ? check : { ok: false, refusal: 'bad_signature' };
}

/** Who took a decision, as its token proves it. */
export interface ProvenDecider {
  userId: number;
  requestId: string | null;
}

/**
 * For an activity recording a decision: the user and request its token proves, or a refusal (403). The expiry is
 * not looked at: the workflow accepted the decision while its token was valid, and the activity may run later
 * (retried through a database outage). No token (an update taken before tokens existed): refused.
 */
export function provenDecider(
  token: unknown,
  expected: { act: DecisionAction; target: string; keys: readonly string[] | undefined },
): ProvenDecider {
  if (token === undefined || token === null) {
    throw new PermissionDeniedError('decision_token_required', DECISION_TOKEN_REQUIRED);
  }
  const check = verifyDecisionToken(token, { ...expected, keys: expected.keys ?? [], nowMs: null });
  if (!check.ok) throw new PermissionDeniedError('decision_token_invalid', decisionTokenRefusalMessage(check.refusal));
  return { userId: check.payload.sub, requestId: check.payload.rid ?? null };
}
