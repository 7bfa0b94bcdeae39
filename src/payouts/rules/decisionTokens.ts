/**
 * Decision tokens: the proof that a decision (approve or reject a bulk, release or reject a held line, and a user's
 * cancel or retry-failed of a bulk) was taken by a given user through the API, which signs one per decision, right before sending it to the
 * workflow. `base64url(JSON payload) + '.' + base64url(Ed25519 signature of the first part's ASCII)`. Ed25519 so
 * the workflows verify with the public key only: nobody who reads a workflow's history or input can sign.
 *
 * Pure and synchronous (no node:crypto, no Buffer, no randomness), so workflow validators run it in Temporal's
 * sandbox; the API's signing and the activities' second check are in src/payouts/decisionTokenKeys.ts.
 */
import { ed25519 } from '@noble/curves/ed25519';
import type { Message } from '../../i18n/message';

export const DECISION_ACTIONS = ['approve', 'reject', 'releaseHold', 'rejectHold', 'cancel', 'retryFailed'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

export interface DecisionTokenPayload {
  v: 1;
  /** The deciding user's id. */
  sub: number;
  act: DecisionAction;
  /** The bulk id (approve, reject, cancel, retryFailed) or the line's transfer id (releaseHold, rejectHold). */
  target: string;
  /** Unix seconds: the token is refused from then on. */
  exp: number;
  jti: string;
  /** The API request that carried the decision, for the audit log. */
  rid?: string;
}

/** `used`: a workflow already took a decision with this very token (see workflows/payouts/payeeHold.ts). */
export type DecisionTokenRefusal = 'malformed' | 'bad_signature' | 'wrong_action' | 'wrong_target' | 'expired' | 'used';

export type DecisionTokenCheck =
  { ok: true; payload: DecisionTokenPayload } | { ok: false; refusal: DecisionTokenRefusal };

export interface DecisionExpectation {
  act: DecisionAction;
  target: string;
  /** Public keys (base64url, 32 bytes each), any of which may have signed. */
  keys: readonly string[];
  /** Milliseconds since the epoch; null skips the expiry (an activity running a decision accepted in time). */
  nowMs: number | null;
}

/** A decision sent without a token (a user id typed into the Temporal Web UI or CLI): refused, this is where to go. */
export const DECISION_TOKEN_REQUIRED: Message = {
  fr: "Les décisions d'approbation, de rejet et sur les lignes retenues se prennent dans la console ou par l'API, qui prouvent qui décide ; une mise à jour indiquant seulement un userId est refusée.",
  en: 'Approvals, rejections and decisions on held lines are taken in the console or through the API, which prove who decides; an update naming only a userId is refused.',
};

/**
 * A cancel or retry-failed naming a user without a token (typed into the Web UI or CLI): anyone could name anyone.
 * An operator acts under their own name; a user acts where they are authenticated.
 */
export const ACTOR_TOKEN_REQUIRED: Message = {
  fr: 'Un opérateur annule ou relance avec {"operator": "<votre nom>"} ; un utilisateur agit depuis la console ou par l\'API, qui prouvent qui agit. Un userId sans jeton est refusé.',
  en: 'An operator cancels or retries with {"operator": "<your name>"}; a user acts from the console or through the API, which prove who acts. A userId without a token is refused.',
};

export function decisionTokenRefusalMessage(refusal: DecisionTokenRefusal): Message {
  switch (refusal) {
    case 'expired':
      return {
        fr: "Le jeton de décision a expiré : reprenez la décision dans la console ou par l'API.",
        en: 'The decision token has expired: take the decision again in the console or through the API.',
      };
    case 'used':
      return {
        fr: "Ce jeton de décision a déjà servi : reprenez la décision dans la console ou par l'API.",
        en: 'This decision token has already been used: take the decision again in the console or through the API.',
      };
    case 'wrong_action':
    case 'wrong_target':
      return {
        fr: 'Le jeton de décision a été émis pour une autre décision ou un autre lot ou ligne.',
        en: 'The decision token was issued for another decision, or another bulk or line.',
      };
    default:
      return {
        fr: "Le jeton de décision est invalide : seules la console et l'API peuvent en émettre.",
        en: 'The decision token is invalid: only the console and the API issue them.',
      };
  }
}

/** Far above any real token: refused before anything is decoded. */
const MAX_TOKEN_LENGTH = 2048;
const TOKEN_SHAPE = /^([A-Za-z0-9_-]{1,1600})\.([A-Za-z0-9_-]{86})$/;
const PAYLOAD_FIELDS: ReadonlySet<string> = new Set(['v', 'sub', 'act', 'target', 'exp', 'jti', 'rid']);

/** Checks a token: its shape, a signature by one of `keys`, then its action, target and expiry. */
export function checkDecisionToken(token: unknown, expected: DecisionExpectation): DecisionTokenCheck {
  const parts = typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH ? TOKEN_SHAPE.exec(token) : null;
  if (!parts) return { ok: false, refusal: 'malformed' };
  const [, encodedPayload = '', encodedSignature = ''] = parts;
  const signature = base64UrlToBytes(encodedSignature);
  const signed = asciiToBytes(encodedPayload);
  if (!signature || signature.length !== 64) return { ok: false, refusal: 'malformed' };
  if (!expected.keys.some((key) => verifiedBy(key, signature, signed))) return { ok: false, refusal: 'bad_signature' };
  const payload = decisionPayloadOf(encodedPayload);
  if (!payload) return { ok: false, refusal: 'malformed' };
  if (payload.act !== expected.act) return { ok: false, refusal: 'wrong_action' };
  if (payload.target !== expected.target) return { ok: false, refusal: 'wrong_target' };
  if (expected.nowMs !== null && payload.exp * 1000 <= expected.nowMs) return { ok: false, refusal: 'expired' };
  return { ok: true, payload };
}

/**
 * The payload of a token, unverified, or null when it is not one: for a workflow that does not know the keys yet
 * (its hold or bulk began before tokens existed), whose activity then verifies the signature.
 */
export function unverifiedDecisionPayload(token: unknown): DecisionTokenPayload | null {
  const parts = typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH ? TOKEN_SHAPE.exec(token) : null;
  return parts ? decisionPayloadOf(parts[1] ?? '') : null;
}

/**
 * The signed part of a payload: its JSON as base64url, any character outside printable ASCII escaped (\uXXXX), so
 * the bytes signed are plain ASCII and read back without a text decoder.
 */
export function encodeDecisionPayload(payload: DecisionTokenPayload): string {
  const json = JSON.stringify(payload).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return bytesToBase64Url(asciiToBytes(json));
}

function verifiedBy(key: string, signature: Uint8Array, signed: Uint8Array): boolean {
  const publicKey = base64UrlToBytes(key);
  if (!publicKey || publicKey.length !== 32) return false;
  try {
    // RFC 8032's strict rules (as node:crypto), not ZIP 215's: one signature per message and key.
    return ed25519.verify(signature, signed, publicKey, { zip215: false });
  } catch {
    return false; // a key or signature that is not a curve point
  }
}

function decisionPayloadOf(encoded: string): DecisionTokenPayload | null {
  const bytes = base64UrlToBytes(encoded);
  if (!bytes || bytes.some((byte) => byte > 0x7e || byte < 0x20)) return null;
  let value: unknown;
  try {
    value = JSON.parse(String.fromCharCode(...bytes));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const fields = value as Record<string, unknown>;
  if (!Object.keys(fields).every((key) => PAYLOAD_FIELDS.has(key))) return null;
  const { v, sub, act, target, exp, jti, rid } = fields;
  const valid =
    v === 1 &&
    typeof sub === 'number' &&
    Number.isSafeInteger(sub) &&
    sub > 0 &&
    typeof act === 'string' &&
    (DECISION_ACTIONS as readonly string[]).includes(act) &&
    typeof target === 'string' &&
    target.length > 0 &&
    target.length <= 100 &&
    typeof exp === 'number' &&
    Number.isSafeInteger(exp) &&
    typeof jti === 'string' &&
    jti.length > 0 &&
    jti.length <= 100 &&
    (rid === undefined || (typeof rid === 'string' && rid.length <= 200));
  return valid ? (fields as unknown as DecisionTokenPayload) : null;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE_OF: ReadonlyMap<string, number> = new Map([...ALPHABET].map((char, index) => [char, index]));

/** Unpadded base64url; null on any other character or an impossible length. */
export function base64UrlToBytes(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const bytes = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (const char of text) {
    const value = VALUE_OF.get(char);
    if (value === undefined) return null;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (buffer >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, so each byte string has exactly one encoding.
  if ((buffer & ((1 << bits) - 1)) !== 0) return null;
  return bytes;
}

export function bytesToBase64Url(bytes: Uint8Array): string {
  let text = '';
  for (let at = 0; at < bytes.length; at += 3) {
    const chunk = ((bytes[at] ?? 0) << 16) | ((bytes[at + 1] ?? 0) << 8) | (bytes[at + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - at) * 8) / 6));
    for (let index = 0; index < chars; index++) text += ALPHABET[(chunk >> (18 - 6 * index)) & 63];
  }
  return text;
}

function asciiToBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index) & 0xff;
  return bytes;
}
