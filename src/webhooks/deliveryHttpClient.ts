/**
 * One delivery attempt: POST the event's body, signed, to the endpoint, and say what happened (never throws). The
 * host is resolved here, every address it resolves to is checked against the address rules, and the connection is
 * made only to those checked addresses (the agent's lookup answers them and nothing else): a name that resolves to
 * an internal address at delivery time, whatever it resolved to at registration, is refused and nothing is sent.
 * Redirects are not followed (a 3xx is a failed attempt): a redirect could point anywhere.
 */
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import {
  addressRefusal,
  hostOf,
  type WebhookAddressPolicy,
  type WebhookUrlRefusal,
  webhookUrlRefusal,
} from './rules/addressRules';
import { signatureHeaders } from './rules/signatureRules';

export interface WebhookMessage {
  url: string;
  secret: string;
  eventId: string;
  body: string;
}

export interface DeliverySettings {
  addressPolicy: WebhookAddressPolicy;
  /** The whole attempt (connect, headers, body). */
  timeoutMs: number;
}

export interface AttemptResult {
  attemptedAt: Date;
  /** Null when no answer came (refused, network error, timeout). */
  httpStatus: number | null;
  durationMs: number;
  /** Null on a 2xx; what went wrong otherwise (never the secret or the signature). */
  error: string | null;
  /** The address rules refused it: nothing was sent. */
  refused: boolean;
}

/** What is read of a receiver's answer: enough to end the request cleanly, never stored. */
const ANSWER_READ_LIMIT = 64 * 1024;

export async function sendWebhook(message: WebhookMessage, settings: DeliverySettings): Promise<AttemptResult> {
  const attemptedAt = new Date();
  const started = performance.now();
  const result = (httpStatus: number | null, error: string | null, refused = false): AttemptResult => ({
    attemptedAt,
    httpStatus,
    durationMs: Math.round(performance.now() - started),
    error: error?.slice(0, 500) ?? null,
    refused,
  });

  const urlRefusal = webhookUrlRefusal(message.url, settings.addressPolicy);
  if (urlRefusal) return result(null, `refused: ${urlRefusal.message.en}`, true);
  const url = new URL(message.url);
  const resolved = await resolveCheckedAddresses(url, settings.addressPolicy);
  if ('error' in resolved) return result(null, resolved.error);
  if ('refusal' in resolved) return result(null, `refused: ${resolved.refusal.message.en}`, true);
  const { addresses } = resolved;

  const agent = new Agent({ connect: { lookup: onlyThese(addresses), timeout: settings.timeoutMs } });
  try {
    const answer = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'pension-payout-gateway-webhooks',
        ...signatureHeaders(message.secret, message.eventId, attemptedAt, message.body),
      },
      body: message.body,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    await answer.body.dump({ limit: ANSWER_READ_LIMIT }).catch(() => undefined);
    const ok = answer.statusCode >= 200 && answer.statusCode < 300;
    return result(answer.statusCode, ok ? null : `the endpoint answered HTTP ${answer.statusCode}`);
  } catch (error) {
    return result(null, describe(error));
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

export type ResolvedAddresses = { addresses: LookupAddress[] } | { refusal: WebhookUrlRefusal } | { error: string };

/** Every address the URL's host resolves to now, if each one is allowed (registration and delivery both ask). */
export async function resolveCheckedAddresses(url: URL, policy: WebhookAddressPolicy): Promise<ResolvedAddresses> {
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(hostOf(url), { all: true, verbatim: true });
  } catch (error) {
    return { error: `could not resolve ${url.hostname}: ${describe(error)}` };
  }
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, policy);
    if (refusal) return { refusal };
  }
  return { addresses };
}

/** A lookup that answers the addresses already resolved and checked, whatever the name (no second resolution). */
function onlyThese(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const first = addresses[0];
    if (!first) {
      callback(new Error('no checked address'), '', 4);
      return;
    }
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, [...addresses]);
      return;
    }
    callback(null, first.address, first.family);
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${cause}`;
}
