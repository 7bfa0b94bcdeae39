/**
 * Our client for the Mojaloop SDK scheme adapter's outbound API (synchronous transfer flow):
 *   startTransfer  POST /transfers               -> payee found, WAITING_FOR_PARTY_ACCEPTANCE
 *   acceptParty    PUT /transfers/{id} party     -> quote received, WAITING_FOR_QUOTE_ACCEPTANCE
 *   acceptQuote    PUT /transfers/{id} quote     -> COMPLETED (transferState COMMITTED): the only call that moves money
 *   getTransfer    GET /transfers/{id}           -> what the switch says about a transfer (to resolve an unknown outcome)
 * Amounts are major-unit decimal strings, as Mojaloop carries them; callers convert with src/domain/money.ts.
 */
import { Agent, errors as undiciErrors, request } from 'undici';
import { AdapterStep, classifyAdapterError, MojaloopBusinessError, PeerUnavailableError } from './schemeAdapterErrors';

export interface PartyRef {
  idType: string;
  idValue: string;
}

export interface StartTransferRequest {
  /** Our transfer id, fixed before the first attempt: the adapter keeps it with its own transfer. */
  homeTransactionId: string;
  from: PartyRef;
  to: PartyRef;
  amount: string;
  currency: string;
  note?: string;
}

export interface StartedTransfer {
  transferId: string;
  currentState: string;
  payee: { name: string | null; fspId: string | null };
}

export interface MoneyAmount {
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
  transferState: string | null;
  fulfilment: string | null;
  completedTimestamp: string | null;
}

export interface TransferLookup {
  found: boolean;
  transferState: string | null;
}

export interface SchemeAdapterClientOptions {
  baseUrl: string;
  /** Whole-call timeout; longer than the adapter's own wait for the switch, so its 504 reaches us. */
  timeoutMs: number;
  connectTimeoutMs?: number;
  connections?: number;
}

/** The switch's answer when it has no such transfer. */
const TRANSFER_NOT_FOUND = '3208';

export class SchemeAdapterClient {
  private readonly agent: Agent;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(options: SchemeAdapterClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.agent = new Agent({
      connections: options.connections ?? 256,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs ?? 5_000 },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

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
    });
    const to = objectOrEmpty(body.to);
    return {
      transferId: requireString(body.transferId, 'transferId', 'discover'),
      currentState: String(body.currentState ?? ''),
      payee: { name: payeeName(to), fspId: stringOrNull(to.fspId) },
    };
  }

  async acceptParty(transferId: string): Promise<QuotedTransfer> {
    const body = await this.call('quote', 'PUT', `/transfers/${encodeURIComponent(transferId)}`, { acceptParty: true });
    const quote = objectOrEmpty(objectOrEmpty(body.quoteResponse).body);
    return {
      currentState: String(body.currentState ?? ''),
      quoteId: requireString(body.quoteId, 'quoteId', 'quote'),
      payeeFspFee: moneyOrNull(quote.payeeFspFee),
      payeeFspCommission: moneyOrNull(quote.payeeFspCommission),
      payeeReceiveAmount: moneyOrNull(quote.payeeReceiveAmount),
      transferAmount: moneyOrNull(quote.transferAmount),
      expiration: stringOrNull(quote.expiration),
    };
  }

  async acceptQuote(transferId: string): Promise<ConfirmedTransfer> {
    const body = await this.call('transfer', 'PUT', `/transfers/${encodeURIComponent(transferId)}`, { acceptQuote: true });
    const fulfil = objectOrEmpty(objectOrEmpty(body.fulfil).body);
    return {
      currentState: String(body.currentState ?? ''),
      transferState: stringOrNull(fulfil.transferState),
      fulfilment: stringOrNull(fulfil.fulfilment),
      completedTimestamp: stringOrNull(fulfil.completedTimestamp),
    };
  }

  async getTransfer(transferId: string): Promise<TransferLookup> {
    try {
      const body = await this.call('lookup', 'GET', `/transfers/${encodeURIComponent(transferId)}`);
      const fulfil = objectOrEmpty(objectOrEmpty(body.fulfil).body);
      return { found: true, transferState: stringOrNull(fulfil.transferState) };
    } catch (error) {
      if (error instanceof MojaloopBusinessError && error.mojaloopCode === TRANSFER_NOT_FOUND) {
        return { found: false, transferState: null };
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call(step: AdapterStep, method: 'GET' | 'POST' | 'PUT', path: string, payload?: unknown): Promise<Record<string, unknown>> {
    let response;
    try {
      response = await request(`${this.baseUrl}${path}`, {
        method,
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new PeerUnavailableError(step, `Scheme adapter unreachable at ${step}: ${describeNetworkError(error)}`);
    }
    const text = await response.body.text().catch(() => '');
    const body = parseJson(text);
    if (response.statusCode >= 200 && response.statusCode < 300) return objectOrEmpty(body);
    throw classifyAdapterError(step, response.statusCode, body);
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof undiciErrors.UndiciError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
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
  if (!text) throw new PeerUnavailableError(step, `Scheme adapter answer at ${step} has no ${field}`);
  return text;
}

function moneyOrNull(value: unknown): MoneyAmount | null {
  const money = objectOrEmpty(value);
  const amount = money.amount;
  const currency = stringOrNull(money.currency);
  if (currency === null) return null;
  if (typeof amount === 'string' && amount.length > 0) return { amount, currency };
  if (typeof amount === 'number' && Number.isFinite(amount)) return { amount: String(amount), currency };
  return null;
}

/** The adapter flattens the payee's name into first/middle/last (or displayName). */
function payeeName(to: Record<string, unknown>): string | null {
  const display = stringOrNull(to.displayName);
  if (display) return display;
  const parts = [to.firstName, to.middleName, to.lastName].map(stringOrNull).filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(' ') : null;
}
