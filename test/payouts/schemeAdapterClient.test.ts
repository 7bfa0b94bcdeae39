/**
 * Our adapter client against the REAL Mojaloop peer (SDK scheme adapter + Testing Toolkit with mojaloop/rules).
 * This file starts its own peer on free ports (toolkit admin port moved too, adapter on its own Redis database),
 * so it runs next to the suite's shared peer or `npm start`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type RunningPeer, startMojaloopPeer } from '../../mojaloop/peer';
import { SchemeAdapterClient } from '../../src/payouts/schemeAdapterClient';
import { TEST_PEER_REQUEST_TIMEOUT_SECONDS } from '../setup/testEnvironment';
import { MojaloopBusinessError, PeerUnavailableError } from '../../src/payouts/schemeAdapterErrors';
import {
  countCommittedPaymentsByPayee,
  countCommittedTransfersByHomeTransactionId,
  readPeerLedger,
} from '../support/peerLedger';

const payer = { idType: 'MSISDN', idValue: '22997000001' };
/** A random ordinary payee (paid). */
const uniqueMsisdn = () => `2299${String(1_000_000 + Math.floor(Math.random() * 8_000_000))}`;
/** A random member of the 22990000504 family (229900005040000-229900005049999): its own timeout state. */
const unique504 = () => `22990000504${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('SchemeAdapterClient against the real Mojaloop peer', () => {
  let runtimeDir: string;
  let peer: RunningPeer;
  let client: SchemeAdapterClient;
  let ports: { outboundPort: number; inboundPort: number; switchPort: number; adminPort: number; metricsPort: number };

  beforeAll(async () => {
    runtimeDir = mkdtempSync(path.join(os.tmpdir(), 'peer-client-test-'));
    ports = {
      outboundPort: await freePort(),
      inboundPort: await freePort(),
      switchPort: await freePort(),
      adminPort: await freePort(),
      metricsPort: await freePort(),
    };
    peer = await startMojaloopPeer({
      runtimeDir,
      dfspId: 'cnssbenin',
      redisUrl: 'redis://127.0.0.1:6379/3',
      requestTimeoutSeconds: TEST_PEER_REQUEST_TIMEOUT_SECONDS,
      ...ports,
    });
    client = new SchemeAdapterClient({ baseUrl: peer.outboundUrl, timeoutMs: 15_000 });
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await peer?.stop();
    if (runtimeDir) rmSync(runtimeDir, { recursive: true, force: true });
  });

  const start = (msisdn: string, homeTransactionId: string = randomUUID(), amount = '45000') =>
    client.startTransfer({
      homeTransactionId,
      from: payer,
      to: { idType: 'MSISDN', idValue: msisdn },
      amount,
      currency: 'XOF',
    });

  it('refuses to start a second peer on ports already served, with a clear message', async () => {
    await expect(
      startMojaloopPeer({ runtimeDir: path.join(runtimeDir, 'second'), dfspId: 'x', ...ports }),
    ).rejects.toThrow(/already in use.*scheme adapter already answers/s);
  });

  it('pays a normal payee in three steps; the switch then confirms it and its ledger counts it once', async () => {
    const payee = uniqueMsisdn();
    const homeTransactionId = randomUUID();
    const started = await start(payee, homeTransactionId, '45000.5');
    expect(started.currentState).toBe('WAITING_FOR_PARTY_ACCEPTANCE');
    expect(started.transferId).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.payee).toEqual({ name: `Pensionne ${payee}`, names: [`Pensionne ${payee}`], fspId: 'payeefsp' });

    const quote = await client.acceptParty(started.transferId);
    expect(quote).toMatchObject({
      currentState: 'WAITING_FOR_QUOTE_ACCEPTANCE',
      payeeFspFee: { amount: '0', currency: 'XOF' },
      payeeFspCommission: { amount: '0', currency: 'XOF' },
      payeeReceiveAmount: { amount: '45000.5', currency: 'XOF' },
      transferAmount: { amount: '45000.5', currency: 'XOF' },
    });
    expect(quote.quoteId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(quote.expiration ?? '')).toBeGreaterThan(Date.now());

    const confirmed = await client.acceptQuote(started.transferId);
    expect(confirmed.currentState).toBe('COMPLETED');
    expect(confirmed.transferState).toBe('COMMITTED');
    expect(confirmed.fulfilment).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(confirmed.completedTimestamp).toBeTruthy();

    const lookup = await client.getTransfer(started.transferId);
    expect(lookup).toMatchObject({ found: true, transferState: 'COMMITTED', completedTimestamp: expect.any(String) });
    expect(Math.abs(Date.parse(lookup.completedTimestamp!) - Date.parse(confirmed.completedTimestamp!))).toBeLessThan(
      1000,
    );

    const stranger = randomUUID();
    const counts = await countCommittedTransfersByHomeTransactionId([homeTransactionId, stranger], peer.adminUrl);
    expect(counts.get(homeTransactionId)).toBe(1);
    expect(counts.get(stranger)).toBe(0);
    expect((await countCommittedPaymentsByPayee([payee], peer.adminUrl)).get(payee)).toBe(1);
    const entry = (await readPeerLedger(peer.adminUrl)).find((row) => row.transferId === started.transferId);
    expect(entry).toMatchObject({ state: 'COMMITTED', homeTransactionId, payee, amount: '45000.5', currency: 'XOF' });
  });

  it('22990000404: party not found is a MojaloopBusinessError 3204 at discover', async () => {
    const failure = await failureOf(start('22990000404'));
    expect(failure).toBeInstanceOf(MojaloopBusinessError);
    expect(failure).toMatchObject({ mojaloopCode: '3204', retryable: false, step: 'discover', httpStatus: 500 });
  });

  it('22990000503: the payee rejects the quote, 5101 at quote', async () => {
    const started = await start('22990000503');
    const failure = await failureOf(client.acceptParty(started.transferId));
    expect(failure).toBeInstanceOf(MojaloopBusinessError);
    expect(failure).toMatchObject({ mojaloopCode: '5101', retryable: false, step: 'quote' });
  });

  it('22990000403: the payee rejects the transfer, 5104 at transfer; the switch says ABORTED and counts nothing', async () => {
    const homeTransactionId = randomUUID();
    const started = await start('22990000403', homeTransactionId);
    expect(started.payee.fspId).toBe('rejectingpayeefsp');
    await client.acceptParty(started.transferId);
    const failure = await failureOf(client.acceptQuote(started.transferId));
    expect(failure).toBeInstanceOf(MojaloopBusinessError);
    expect(failure).toMatchObject({ mojaloopCode: '5104', retryable: false, step: 'transfer' });

    // The adapter transfer is now in ERROR_OCCURRED: a PUT answers 204 and does nothing (nothing is re-sent).
    const again = await failureOf(client.acceptQuote(started.transferId));
    expect(again).toBeInstanceOf(PeerUnavailableError);
    expect(again).toMatchObject({ reason: 'not_resumable', httpStatus: 204, outcomeUnknown: true });

    expect(await client.getTransfer(started.transferId)).toMatchObject({ found: true, transferState: 'ABORTED' });
    expect(
      (await countCommittedTransfersByHomeTransactionId([homeTransactionId], peer.adminUrl)).get(homeTransactionId),
    ).toBe(0);
    // GET /transfers/{id} overwrote the adapter's cached transfer: a PUT now replays the GET's answer, still no re-send.
    expect(await client.acceptQuote(started.transferId)).toMatchObject({
      currentState: 'COMPLETED',
      transferState: 'ABORTED',
    });
  });

  it('22990000504 family: the first lookup gets no answer (adapter 504, retryable), the next one is paid', async () => {
    const payee = unique504();
    const began = Date.now();
    const failure = await failureOf(start(payee));
    expect(Date.now() - began).toBeGreaterThanOrEqual(TEST_PEER_REQUEST_TIMEOUT_SECONDS * 1000 - 100);
    expect(failure).toBeInstanceOf(PeerUnavailableError);
    expect(failure).toMatchObject({
      retryable: true,
      step: 'discover',
      httpStatus: 504,
      reason: 'switch_timeout',
      outcomeUnknown: false,
    });

    const started = await start(payee);
    await client.acceptParty(started.transferId);
    expect(await client.acceptQuote(started.transferId)).toMatchObject({ transferState: 'COMMITTED' });
    // Every other lookup of the same MSISDN times out again.
    expect(await failureOf(start(payee))).toBeInstanceOf(PeerUnavailableError);
  });

  it('22990000504 itself behaves the same (alternates, starting with a timeout)', async () => {
    const first = await start('22990000504').then(
      () => 'ok',
      (error: unknown) => error,
    );
    const second = await start('22990000504').then(
      () => 'ok',
      (error: unknown) => error,
    );
    expect([first, second].filter((result) => result === 'ok')).toHaveLength(1);
    expect([first, second].find((result) => result !== 'ok')).toBeInstanceOf(PeerUnavailableError);
  });

  it('our own timeout is a retryable PeerUnavailableError', async () => {
    const impatient = new SchemeAdapterClient({ baseUrl: peer.outboundUrl, timeoutMs: 1000 });
    const failure = await failureOf(
      impatient.startTransfer({
        homeTransactionId: randomUUID(),
        from: payer,
        to: { idType: 'MSISDN', idValue: unique504() },
        amount: '1',
        currency: 'XOF',
      }),
    );
    await impatient.close();
    expect(failure).toBeInstanceOf(PeerUnavailableError);
    expect(failure).toMatchObject({ retryable: true, reason: 'timeout', httpStatus: null });
  });

  it('getTransfer of a transfer the switch never saw is found:false', async () => {
    expect(await client.getTransfer(randomUUID())).toEqual({
      found: false,
      transferState: null,
      completedTimestamp: null,
      fulfilment: null,
    });
  });

  it('adapter down (nothing on the port) is a retryable PeerUnavailableError', async () => {
    const nowhere = new SchemeAdapterClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    const failures = [
      await failureOf(nowhere.getTransfer(randomUUID())),
      await failureOf(nowhere.acceptQuote(randomUUID())),
    ];
    await nowhere.close();
    expect(failures[0]).toBeInstanceOf(PeerUnavailableError);
    expect(failures[0]).toMatchObject({ retryable: true, step: 'lookup', reason: 'connection_refused' });
    // Refused before anything was sent: the transfer outcome is known (not sent).
    expect(failures[1]).toMatchObject({ retryable: true, step: 'transfer', outcomeUnknown: false });
  });
});
