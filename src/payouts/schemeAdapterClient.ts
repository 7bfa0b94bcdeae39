/**
 * Our client for the Mojaloop SDK scheme adapter's outbound API (synchronous transfer flow, adapter 18.0.2 with
 * AUTO_ACCEPT_PARTY=false and AUTO_ACCEPT_QUOTES=false):
 *   startTransfer  POST /transfers                       -> payee found: WAITING_FOR_PARTY_ACCEPTANCE
 *   acceptParty    PUT /transfers/{id} {acceptParty:true} -> quote received: WAITING_FOR_QUOTE_ACCEPTANCE
 *   acceptQuote    PUT /transfers/{id} {acceptQuote:true} -> COMPLETED (fulfil transferState COMMITTED):
 *                                                           the only call that moves money
 *   getTransfer    GET /transfers/{id}                    -> what the switch says about a transfer (to resolve
 *                                                           an unknown outcome); 3208 means not found
 * Amounts are major-unit decimal strings, as Mojaloop carries them, and are returned as such (never floats);
 * callers convert with src/domain/money.ts. Errors: see schemeAdapterErrors.ts.
 *
 * Adapter behaviours worth knowing (observed on 18.0.2):
 * - a PUT on an adapter transfer that ended in ERROR_OCCURRED answers 204 with no body and does nothing: such a
 *   transfer cannot be resumed (start a new one, or after acceptQuote ask getTransfer);
 * - GET /transfers/{id} overwrites the adapter's cached state of that transfer (transferModel_out_{id}).
 */
import { Pool, errors as undiciErrors } from 'undici';
import {
  type AdapterStep,
  classifyAdapterError,
  MojaloopBusinessError,
  PeerUnavailableError,
} from './schemeAdapterErrors';

export interface PartyRef {
  idType: string;
  idValue: string;
}

export interface StartTransferRequest {
  /** Our transfer id, fixed before the first attempt: the adapter keeps it with its own transfer. */
  homeTransactionId: string;
  from: PartyRef;
  to: PartyRef;
  /** Major-unit decimal string, e.g. "45000" or "12.50". */
  amount: string;
  currency: string;
  note?: string;
}

export interface StartedTransfer {
  /** Assigned by the adapter; every later call uses it. */
  transferId: string;
  currentState: string;
  /** `name`: the party's name to show (the first of `names`, every name the switch gave), null when it gave none. */
  payee: { name: string | null; names: string[]; fspId: string | null };
}

export interface MoneyAmount {
  /** Major-unit decimal string. */
  amount: string;
  currency: string;
}

export interface QuotedTransfer {
  currentState: string;
  quoteId: string;
  payeeFspFee: MoneyAmount | null;
  payeeFspCommission: MoneyAmount | null;
  payeeReceiveAmount: MoneyAmount | null;
  transferAmount: MoneyAmount | null;
  expiration: string | null;
}

export interface ConfirmedTransfer {
  currentState: string;
  /** The switch's transfer state, COMMITTED when paid. */
  transferState: string | null;
  fulfilment: string | null;
  completedTimestamp: string | null;
}

export interface TransferLookup {
  found: boolean;
  /** COMMITTED, ABORTED, RESERVED... as the switch says; null when not found. */
  transferState: string | null;
  completedTimestamp: string | null;
  fulfilment: string | null;
}

export interface SchemeAdapterClientOptions {
  /** e.g. http://127.0.0.1:4001 */
  baseUrl: string;
  /**
   * Whole-call timeout (headers and body). Make it longer than the adapter's own wait for the switch
   * (REQUEST_PROCESSING_TIMEOUT_SECONDS) so that its 504 reaches us rather than our own timeout.
   */
  timeoutMs: number;
  connectTimeoutMs?: number;
  /** Defaults to timeoutMs. */
  headersTimeoutMs?: number;
  /** Defaults to timeoutMs. */
  bodyTimeoutMs?: number;
  /** Keep-alive connections to the adapter (default 64). */
  connections?: number;
  keepAliveTimeoutMs?: number;
}

/** The switch's answer when it has no such transfer. */
const TRANSFER_NOT_FOUND = '3208';
/** FSPIOP extension values are 1-128 characters. */
const MAX_EXTENSION_VALUE = 128;

export class SchemeAdapterClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly timeoutMs: number;

  constructor(options: SchemeAdapterClientOptions) {
    const url = new URL(options.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 64,
      pipelining: 1,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      connect: { timeout: options.connectTimeoutMs ?? 5_000 },
      headersTimeout: options.headersTimeoutMs ?? options.timeoutMs,
      bodyTimeout: options.bodyTimeoutMs ?? options.timeoutMs,
    });
  }

  /** POST /transfers: the adapter looks the payee up at the switch (party lookup). Nothing moves. */
  async startTransfer(input: StartTransferRequest): Promise<StartedTransfer> {
    const body = await this.call('discover', 'POST', '/transfers', {
      homeTransactionId: input.homeTransactionId,
      from: input.from,
      to: input.to,
      amountType: 'SEND',
      currency: input.currency,
      amount: input.amount,
      transactionType: 'TRANSFER',
      ...(input.note ? { note: input.note } : {}),
      // Carried to the switch in the FSPIOP transfer's extensionList: the peer's ledger counts payments by it.
      ...(input.homeTransactionId.length <= MAX_EXTENSION_VALUE
        ? { transferRequestExtensions: [{ key: 'homeTransactionId', value: input.homeTransactionId }] }
        : {}),
    });
    const to = objectOrEmpty(body.to);
    return {
      transferId: requireString(body.transferId, 'transferId', 'discover'),
      currentState: stringOrNull(body.currentState) ?? '',
      payee: { ...namesOf(payeeNames(to, body)), fspId: stringOrNull(to.fspId) },
    };
  }

  /** PUT /transfers/{id} {acceptParty:true}: the adapter asks the payee's provider for a quote. Nothing moves. */
  async acceptParty(transferId: string): Promise<QuotedTransfer> {
    const body = await this.call('quote', 'PUT', `/transfers/${encodeURIComponent(transferId)}`, { acceptParty: true });
    const currentState = stringOrNull(body.currentState) ?? '';
    if (currentState === 'ABORTED') {
      // A second acceptParty on a transfer that already has its quote (our first answer was received but not
      // recorded, e.g. the database dropped the connection): the adapter reads the missing acceptQuote as "quote
      // rejected", aborts its transfer and answers 200 with the old quote. That transfer can never be sent.
      throw new PeerUnavailableError(
        'quote',
        `Scheme adapter aborted transfer ${transferId} at quote: it cannot be resumed`,
        200,
        {
          reason: 'not_resumable',
        },
      );
    }
    const quote = objectOrEmpty(objectOrEmpty(body.quoteResponse).body);
    return {
      currentState,
      quoteId: requireString(body.quoteId, 'quoteId', 'quote'),
      payeeFspFee: moneyOrNull(quote.payeeFspFee),
      payeeFspCommission: moneyOrNull(quote.payeeFspCommission),
      payeeReceiveAmount: moneyOrNull(quote.payeeReceiveAmount),
      transferAmount: moneyOrNull(quote.transferAmount),
      expiration: stringOrNull(quote.expiration),
    };
  }

  /** PUT /transfers/{id} {acceptQuote:true}: the transfer is sent. On anything but an answer, ask getTransfer. */
  async acceptQuote(transferId: string): Promise<ConfirmedTransfer> {
    const body = await this.call('transfer', 'PUT', `/transfers/${encodeURIComponent(transferId)}`, {
      acceptQuote: true,
    });
    const fulfil = objectOrEmpty(objectOrEmpty(body.fulfil).body);
    return {
      currentState: stringOrNull(body.currentState) ?? '',
      transferState: stringOrNull(fulfil.transferState),
      fulfilment: stringOrNull(fulfil.fulfilment),
      completedTimestamp: stringOrNull(fulfil.completedTimestamp),
    };
  }

  /** GET /transfers/{id}: the adapter asks the switch (GET /transfers at the hub) and waits for its answer. */
  async getTransfer(transferId: string): Promise<TransferLookup> {
    try {
      const body = await this.call('lookup', 'GET', `/transfers/${encodeURIComponent(transferId)}`);
      const fulfil = objectOrEmpty(objectOrEmpty(body.fulfil).body);
      return {
        found: true,
        transferState: stringOrNull(fulfil.transferState),
        completedTimestamp: stringOrNull(fulfil.completedTimestamp),
        fulfilment: stringOrNull(fulfil.fulfilment),
      };
    } catch (error) {
      if (error instanceof MojaloopBusinessError && error.mojaloopCode === TRANSFER_NOT_FOUND) {
        return { found: false, transferState: null, completedTimestamp: null, fulfilment: null };
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async call(
    step: AdapterStep,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    payload?: unknown,
  ): Promise<Record<string, unknown>> {
    let statusCode: number;
    let text: string;
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await this.pool.request({
        path: `${this.basePath}${path}`,
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal,
      });
      statusCode = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw networkError(step, error, signal.aborted);
    }
    if (statusCode === 204 || (statusCode >= 200 && statusCode < 300 && text.trim() === '')) {
      // What the adapter does with a PUT on a transfer that already ended in ERROR_OCCURRED.
      throw new PeerUnavailableError(
        step,
        `Scheme adapter answered ${statusCode} with no body at ${step}: the adapter transfer is not resumable (it ended in error)`,
        statusCode,
        { reason: 'not_resumable' },
      );
    }
    const body = parseJson(text);
    if (statusCode >= 200 && statusCode < 300) {
      const object = objectOrEmpty(body);
      if (object.currentState === 'ERROR_OCCURRED')
        throw classifyAdapterError(step, 500, { transferState: object, statusCode: '500' });
      return object;
    }
    throw classifyAdapterError(step, statusCode, body);
  }
}

function networkError(step: AdapterStep, error: unknown, ourTimeout: boolean): PeerUnavailableError {
  const code = (error as { code?: unknown } | null)?.code;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const timedOut =
    ourTimeout ||
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError;
  const refused = code === 'ECONNREFUSED';
  return new PeerUnavailableError(
    step,
    `Scheme adapter unreachable at ${step}: ${typeof code === 'string' ? `${code} ` : ''}${message}`,
    null,
    {
      reason: refused ? 'connection_refused' : timedOut ? 'timeout' : 'network',
      cause: error,
    },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function requireString(value: unknown, field: string, step: AdapterStep): string {
  const text = stringOrNull(value);
  if (!text)
    throw new PeerUnavailableError(step, `Scheme adapter answer at ${step} has no ${field}`, 200, {
      reason: 'bad_response',
    });
  return text;
}

/**
 * Money as the switch sent it. The amount stays the switch's decimal string, unvalidated, so that the caller's
 * strict parser (not this client) rejects a malformed one rather than it silently becoming "no fee".
 */
function moneyOrNull(value: unknown): MoneyAmount | null {
  const money = objectOrEmpty(value);
  const currency = stringOrNull(money.currency);
  if (currency === null) return null;
  if (typeof money.amount === 'string' && money.amount.length > 0) return { amount: money.amount, currency };
  // A JSON number: its shortest decimal text (exact for the value parsed), never computed with.
  if (typeof money.amount === 'number' && Number.isFinite(money.amount))
    return { amount: String(money.amount), currency };
  return null;
}

/**
 * Every name the switch gave the party, the one to show first: FSPIOP party.name, the adapter's display name, its
 * first/middle/last name. The payee name check compares ours with each and keeps the closest.
 */
function payeeNames(to: Record<string, unknown>, body: Record<string, unknown>): string[] {
  const party = objectOrEmpty(objectOrEmpty(objectOrEmpty(body.getPartiesResponse).body).party);
  const parts = [to.firstName, to.middleName, to.lastName]
    .map(stringOrNull)
    .filter((part): part is string => part !== null);
  const names = [stringOrNull(party.name), stringOrNull(to.displayName), parts.length > 0 ? parts.join(' ') : null];
  return [...new Set(names.filter((name): name is string => name !== null && name.trim() !== ''))];
}

function namesOf(names: string[]): { name: string | null; names: string[] } {
  return { name: names[0] ?? null, names };
}
