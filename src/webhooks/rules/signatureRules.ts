/**
 * The Standard Webhooks signature (https://www.standardwebhooks.com): a secret per endpoint, `whsec_` + base64 of
 * random bytes, and three headers per request. `webhook-signature` is `v1,` + base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>` under the secret's bytes, computed by the `standardwebhooks` package
 * (the same package a receiver verifies with). No I/O.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

const SECRET_PREFIX = 'whsec_';
/** 32 bytes: above the 24 the convention asks, as long as the HMAC-SHA256 key is useful. */
const SECRET_BYTES = 32;

export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The headers of one attempt: the event id is the same on every attempt, the timestamp is the attempt's. */
export function signatureHeaders(secret: string, eventId: string, at: Date, body: string): SignatureHeaders {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(eventId, at, body),
  };
}
