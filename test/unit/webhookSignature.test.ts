import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { newWebhookSecret, signatureHeaders } from '../../src/webhooks/rules/signatureRules';

describe('webhook signature (Standard Webhooks)', () => {
  const body = JSON.stringify({
    id: 'evt_1',
    type: 'bulk.completed',
    created_at: '2026-12-01T10:00:00.000Z',
    data: {},
  });

  it('makes secrets of whsec_ and at least 24 random bytes, never twice the same', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('signs "id.timestamp.body" with HMAC-SHA256 under the secret bytes, as v1,<base64>', () => {
    const secret = newWebhookSecret();
    const at = new Date();
    const headers = signatureHeaders(secret, 'evt_1', at, body);
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`evt_1.${headers['webhook-timestamp']}.${body}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('is verified by the library a receiver uses, and refused under another secret or for another body', () => {
    const secret = newWebhookSecret();
    const headers = signatureHeaders(secret, 'evt_2', new Date(), body);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...headers })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(`${body} `, { ...headers })).toThrow(WebhookVerificationError);
  });
});
