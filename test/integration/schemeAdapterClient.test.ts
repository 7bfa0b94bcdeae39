/** Our adapter client against the real Mojaloop peer (scheme adapter + Testing Toolkit with our payee rules). */
import { randomUUID } from 'node:crypto';
import { SchemeAdapterClient } from '../../src/clients/schemeAdapterClient';
import { MojaloopBusinessError, PeerUnavailableError } from '../../src/clients/schemeAdapterErrors';
import { config } from '../../src/config';
import { countCommittedPaymentsByPayee } from '../support/peerLedger';

const payer = { idType: 'MSISDN', idValue: '22997000001' };
const uniqueMsisdn = () => `2299${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

describe('SchemeAdapterClient against the real peer', () => {
  const client = new SchemeAdapterClient({ baseUrl: config().mojaloop.schemeAdapterUrl, timeoutMs: 20000 });
  afterAll(() => client.close());

  const start = (msisdn: string, homeTransactionId = randomUUID()) =>
    client.startTransfer({ homeTransactionId, from: payer, to: { idType: 'MSISDN', idValue: msisdn }, amount: '45000', currency: 'XOF' });

  it('pays a normal payee in three steps, and the switch confirms it afterwards', async () => {
    const payee = uniqueMsisdn();
    const started = await start(payee);
    expect(started.currentState).toBe('WAITING_FOR_PARTY_ACCEPTANCE');
    expect(started.payee).toEqual({ name: `Pensionne ${payee}`, fspId: 'payeefsp' });

    const quote = await client.acceptParty(started.transferId);
    expect(quote.currentState).toBe('WAITING_FOR_QUOTE_ACCEPTANCE');
    expect(quote.quoteId).toMatch(/[0-9a-f-]{36}/);
    expect(quote.payeeFspFee).toEqual({ amount: '0', currency: 'XOF' });
    expect(quote.transferAmount).toEqual({ amount: '45000', currency: 'XOF' });

    const confirmed = await client.acceptQuote(started.transferId);
    expect(confirmed.currentState).toBe('COMPLETED');
    expect(confirmed.transferState).toBe('COMMITTED');
    expect(confirmed.fulfilment).toBeTruthy();

    expect(await client.getTransfer(started.transferId)).toEqual({ found: true, transferState: 'COMMITTED' });
    expect((await countCommittedPaymentsByPayee([payee])).get(payee)).toBe(1);
  });

  it('reports party not found (3204) as a business error', async () => {
    const failure = await start('22990000404').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MojaloopBusinessError);
    expect(failure).toMatchObject({ mojaloopCode: '3204', retryable: false, step: 'discover' });
  });

  it('reports a rejected quote (5101) at the quote step', async () => {
    const started = await start('22990000503');
    const failure = await client.acceptParty(started.transferId).catch((error: unknown) => error);
    expect(failure).toMatchObject({ mojaloopCode: '5101', step: 'quote' });
  });

  it('reports a rejected transfer (5104) at the transfer step, and the switch never committed it', async () => {
    const started = await start('22990000403');
    await client.acceptParty(started.transferId);
    const payeesBefore = (await countCommittedPaymentsByPayee(['22990000403'])).get('22990000403');
    const failure = await client.acceptQuote(started.transferId).catch((error: unknown) => error);
    expect(failure).toMatchObject({ mojaloopCode: '5104', step: 'transfer' });
    expect(await client.getTransfer(started.transferId)).toEqual({ found: false, transferState: null });
    expect((await countCommittedPaymentsByPayee(['22990000403'])).get('22990000403')).toBe(payeesBefore);
  });

  it('says not found for a transfer the switch never saw', async () => {
    expect(await client.getTransfer(randomUUID())).toEqual({ found: false, transferState: null });
  });

  it('turns the switch not answering (22990000504) into a retryable error, then succeeds', async () => {
    const attempts: Array<'timeout' | 'ok'> = [];
    for (let attempt = 0; attempt < 3 && !attempts.includes('ok'); attempt += 1) {
      try {
        await start('22990000504');
        attempts.push('ok');
      } catch (error) {
        expect(error).toBeInstanceOf(PeerUnavailableError);
        expect((error as PeerUnavailableError).retryable).toBe(true);
        attempts.push('timeout');
      }
    }
    expect(attempts).toContain('ok');
  });

  it('turns a closed port into a retryable PeerUnavailableError', async () => {
    const nowhere = new SchemeAdapterClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    const failure = await nowhere.getTransfer(randomUUID()).catch((error: unknown) => error);
    await nowhere.close();
    expect(failure).toBeInstanceOf(PeerUnavailableError);
    expect(failure).toMatchObject({ retryable: true, step: 'lookup' });
  });
});
