/**
 * Faults between our worker and the scheme adapter: a fault-injecting proxy (test/support/faultProxy.ts) sits in
 * front of the REAL adapter outbound API, and a bulk is paid through it by a real worker on the real Temporal dev
 * server. Whatever breaks, every line must end final, the switch's own ledger (test/support/peerLedger.ts) must
 * show exactly one payment for every COMPLETED line and none for every FAILED one, the transfer step must never
 * be sent twice for a line, and the payer account must be exact.
 *
 * Our client's timeout is set short here (CLIENT_TIMEOUT_MS) so that "no answer" faults cost seconds, not a
 * minute; it stays above the adapter's own wait for the switch (8 s in tests), as in production. The adapter's
 * expiry is short too (ADAPTER_EXPIRY_SECONDS), and ours is it plus a margin, as in production: a line whose
 * outcome stays unknown is failed once its transfer can no longer commit, in half a minute rather than a minute and
 * a half, however slow the machine.
 */
import type { Worker } from '@temporalio/worker';
import type { PayoutAdapter } from '../../activities';
import { SchemeAdapterClient } from '../../src/payouts/schemeAdapterClient';
import { PeerUnavailableError } from '../../src/payouts/schemeAdapterErrors';
import { closeDb, db } from '../support/database';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { type BulkPayoutResult, workflowIdForBulk } from '../../src/payouts/contract';
import {
  type FaultAction,
  type FaultProxy,
  type ProxiedCall,
  type ProxiedStep,
  type ProxyLogEntry,
  startFaultProxy,
} from '../support/faultProxy';
import {
  accountMoney,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  payoutWorker,
  type TemporalForTests,
  uniqueTaskQueue,
} from '../support/payoutHarness';
import { countCommittedPaymentsByPayee } from '../support/peerLedger';
import { type PrivatePeer, startPrivatePeer } from '../support/privatePeer';
import { expectJournalAgrees } from '../support/journalInvariant';
import { uniqueMsisdns } from '../support/payees';
import { barrier } from '../support/barrier';

const CLIENT_TIMEOUT_MS = 10_000;
const ADAPTER_EXPIRY_SECONDS = 20;
/** The adapter's expiry plus a clock-skew margin, as the configuration computes it in production. */
const TRANSFER_EXPIRY_MS = (ADAPTER_EXPIRY_SECONDS + 10) * 1000;
const INITIAL_BALANCE = 50_000_000n;

/** Payees of their own, none of the peer's special ones, so the switch's ledger tells every line apart. */
interface PlannedLine {
  msisdn: string;
  amount: bigint;
  /** Faults by step and attempt, e.g. { transfer: { 1: {kind: 'forwardThenReset'} } }; any other call is forwarded. */
  faults: Partial<Record<ProxiedStep, Record<number, FaultAction>>>;
  /** What the line must end as; 'either' when both are correct and only consistency with the switch is checked. */
  expected: { status: 'COMPLETED' } | { status: 'FAILED'; code: string } | { status: 'either' };
}

/** Records how our client's acceptQuote calls failed, by adapter transfer id (the proxy cannot see refused ones). */
function recordingAdapter(adapter: PayoutAdapter): {
  adapter: PayoutAdapter;
  acceptQuoteFailures: Array<{ transferId: string; reason: string }>;
  /** Told of each failure as it is recorded (a test reacts to one: the state it waits for). */
  onAcceptQuoteFailure: Array<(failure: { transferId: string; reason: string }) => void>;
  /** Set by a test: each acceptQuote waits for what this returns before it is sent (a barrier). */
  beforeAcceptQuote: { wait: (transferId: string) => Promise<void> };
} {
  const acceptQuoteFailures: Array<{ transferId: string; reason: string }> = [];
  const onAcceptQuoteFailure: Array<(failure: { transferId: string; reason: string }) => void> = [];
  const beforeAcceptQuote = { wait: (_transferId: string) => Promise.resolve() };
  return {
    acceptQuoteFailures,
    onAcceptQuoteFailure,
    beforeAcceptQuote,
    adapter: {
      startTransfer: (request) => adapter.startTransfer(request),
      acceptParty: (transferId) => adapter.acceptParty(transferId),
      getTransfer: (transferId) => adapter.getTransfer(transferId),
      acceptQuote: async (transferId) => {
        await beforeAcceptQuote.wait(transferId);
        try {
          return await adapter.acceptQuote(transferId);
        } catch (error) {
          const failure = { transferId, reason: error instanceof PeerUnavailableError ? error.reason : 'business' };
          acceptQuoteFailures.push(failure);
          for (const listener of onAcceptQuoteFailure) listener(failure);
          throw error;
        }
      },
    },
  };
}

/** The calls of a line's transfer step (accept the quote) that reached the proxy. */
function transferCallsOf(calls: ProxyLogEntry[], transferId: string): ProxyLogEntry[] {
  return calls.filter((call) => call.step === 'transfer' && call.homeTransactionId === transferId);
}

describe('scheme adapter faults (fault proxy in front of the real adapter)', () => {
  let peer: PrivatePeer;
  let temporal: TemporalForTests;
  let proxy: FaultProxy;
  let client: SchemeAdapterClient;
  let recorded: ReturnType<typeof recordingAdapter>;
  /** The worker paying the current test's bulk, and its run: stopped after each test, whatever happened in it. */
  let current: { worker: Worker; run: Promise<unknown> } | null = null;

  beforeAll(async () => {
    peer = await startPrivatePeer('peerfault', { expirySeconds: ADAPTER_EXPIRY_SECONDS });
    temporal = await connectTemporal();
    proxy = await startFaultProxy({ target: peer.outboundUrl });
    client = new SchemeAdapterClient({ baseUrl: proxy.url, timeoutMs: CLIENT_TIMEOUT_MS });
    recorded = recordingAdapter(client);
  });

  /** Why our client's transfer calls for this adapter transfer failed, in order. */
  const sendFailureReasons = (adapterTransferId: string | null): string[] =>
    recorded.acceptQuoteFailures.filter((f) => f.transferId === adapterTransferId).map((f) => f.reason);

  // A test that failed or ran out of time leaves nothing polling behind it: its worker is shut down here.
  afterEach(async () => {
    if (!current) return;
    if (current.worker.getState() === 'RUNNING') current.worker.shutdown();
    await current.run.catch(() => undefined);
    current = null;
    recorded.beforeAcceptQuote.wait = () => Promise.resolve();
  });

  afterAll(async () => {
    await client?.close();
    await proxy?.close();
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  /** Pays the planned bulk through the proxy, the policy applying each line's faults, and checks every invariant. */
  async function payThroughFaults(
    lines: PlannedLine[],
    extraPolicy?: (call: ProxiedCall, line: PlannedLine | undefined) => FaultAction | null,
  ) {
    const payer = await createPayerAccount(db(), INITIAL_BALANCE);
    const bulk = await insertBulk(
      db(),
      payer,
      lines.map(({ msisdn, amount }) => ({ msisdn, amount })),
    );
    const lineOf = new Map(bulk.transferIds.map((transferId, index) => [transferId, lines[index]!]));
    proxy.setPolicy((call) => {
      const line = call.homeTransactionId === null ? undefined : lineOf.get(call.homeTransactionId);
      return extraPolicy?.(call, line) ?? line?.faults[call.step]?.[call.attempt] ?? { kind: 'forward' };
    });
    const logStart = proxy.log.length;
    // A Temporal Worker runs once (runUntil shuts it down): each bulk gets its own, on a task queue of its own, so
    // a worker left by an earlier test can never take this one's tasks.
    const taskQueue = uniqueTaskQueue('peerfault');
    const worker = await payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: recorded.adapter,
      settings: { payoutConcurrency: 6, transferExpiryMs: TRANSFER_EXPIRY_MS },
    });

    const started = Date.now();
    const run = worker.runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      return temporal.client.workflow
        .getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulk.bulkId))
        .result();
    });
    current = { worker, run };
    const result = await run;
    const seconds = Math.round((Date.now() - started) / 1000);
    proxy.setPolicy(() => ({ kind: 'forward' }));

    const rows = await db()('individual_transfers')
      .where('bulk_id', bulk.bulkId)
      .orderBy('line_number')
      .select(
        'transfer_id',
        'line_number',
        'payee_party_identifier',
        'amount',
        'status',
        'failure_code',
        'mojaloop_transfer_id',
      );
    const calls = proxy.log.slice(logStart);
    return { payer, bulk, rows, calls, result, seconds };
  }

  async function expectExactlyOnce(
    lines: PlannedLine[],
    outcome: Awaited<ReturnType<typeof payThroughFaults>>,
  ): Promise<void> {
    const { payer, bulk, rows, calls, result } = outcome;
    // Every line final, as planned.
    expect(rows.map((row) => row.status).filter((status) => status !== 'COMPLETED' && status !== 'FAILED')).toEqual([]);
    rows.forEach((row, index) => {
      const expected = lines[index]!.expected;
      const actual = { line: row.line_number, status: row.status, code: row.failure_code };
      if (expected.status === 'COMPLETED')
        expect(actual).toEqual({ line: row.line_number, status: 'COMPLETED', code: null });
      if (expected.status === 'FAILED')
        expect(actual).toEqual({ line: row.line_number, status: 'FAILED', code: expected.code });
    });
    const completed = rows.filter((row) => row.status === 'COMPLETED');
    expect(result).toEqual({
      bulkId: bulk.bulkId,
      state: completed.length > 0 ? 'COMPLETED' : 'FAILED',
      total: lines.length,
      completed: completed.length,
      failed: lines.length - completed.length,
    });

    // Never sent twice: at most one acceptQuote per line reached the proxy (refused connections never do).
    for (const row of rows) {
      const sends = transferCallsOf(calls, row.transfer_id).length;
      expect({ line: row.line_number, sends }).toEqual({ line: row.line_number, sends: Math.min(sends, 1) });
    }

    // The switch agrees with us, line by line: one payment for each COMPLETED line, none for a FAILED one.
    const uniquePayeeLines = rows.filter((row) => !row.payee_party_identifier.startsWith('22990000'));
    const paidAtSwitch = await countCommittedPaymentsByPayee(
      rows.map((row) => row.payee_party_identifier),
      peer.adminUrl,
    );
    for (const row of uniquePayeeLines) {
      expect({ line: row.line_number, payments: paidAtSwitch.get(row.payee_party_identifier) }).toEqual({
        line: row.line_number,
        payments: row.status === 'COMPLETED' ? 1 : 0,
      });
    }
    // The peer's refusing payees (several lines may share one): nothing may have been committed to them.
    for (const row of rows.filter((r) => r.payee_party_identifier.startsWith('22990000'))) {
      expect({ payee: row.payee_party_identifier, payments: paidAtSwitch.get(row.payee_party_identifier) }).toEqual({
        payee: row.payee_party_identifier,
        payments: 0,
      });
    }

    // Money: the paid lines left the account, every reservation was released.
    const paid = completed.reduce((sum, row) => sum + BigInt(row.amount), 0n);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: INITIAL_BALANCE - paid, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  }

  it('says a quote is not resumable when a repeated acceptParty made the adapter abort its transfer', async () => {
    // What a retried quote step meets when the first answer arrived but was not recorded (see faultPostgres).
    const direct = new SchemeAdapterClient({ baseUrl: peer.outboundUrl, timeoutMs: CLIENT_TIMEOUT_MS });
    try {
      const [payee] = uniqueMsisdns(1);
      const started = await direct.startTransfer({
        homeTransactionId: `fault-${Date.now()}`,
        from: { idType: 'MSISDN', idValue: '22961000001' },
        to: { idType: 'MSISDN', idValue: payee },
        amount: '100',
        currency: 'XOF',
      });
      expect(await direct.acceptParty(started.transferId)).toMatchObject({
        currentState: 'WAITING_FOR_QUOTE_ACCEPTANCE',
      });
      const again = await direct.acceptParty(started.transferId).then(
        () => null,
        (error: unknown) => error,
      );
      expect(again).toBeInstanceOf(PeerUnavailableError);
      expect(again).toMatchObject({ step: 'quote', reason: 'not_resumable', retryable: true });
    } finally {
      await direct.close();
    }
  });

  it('pays every line exactly once through 5xx answers, unanswered calls and lost answers at every step', async () => {
    const payees = uniqueMsisdns(11);
    const lateMs = CLIENT_TIMEOUT_MS + 3_000;
    const at = (step: ProxiedStep, action: FaultAction): PlannedLine['faults'] => ({ [step]: { 1: action } });
    const lines: PlannedLine[] = [
      // Before the adapter: it never saw the call.
      {
        msisdn: payees[0],
        amount: 10_001n,
        faults: at('discover', { kind: 'status', status: 503 }),
        expected: { status: 'COMPLETED' },
      },
      {
        msisdn: payees[1],
        amount: 10_002n,
        faults: at('discover', { kind: 'hang' }),
        expected: { status: 'COMPLETED' },
      },
      {
        msisdn: payees[2],
        amount: 10_003n,
        faults: at('quote', { kind: 'status', status: 502 }),
        expected: { status: 'COMPLETED' },
      },
      { msisdn: payees[3], amount: 10_004n, faults: at('quote', { kind: 'reset' }), expected: { status: 'COMPLETED' } },
      // After the adapter: it acted, we never saw its answer.
      {
        msisdn: payees[4],
        amount: 10_005n,
        faults: at('discover', { kind: 'forwardThenReset' }),
        expected: { status: 'COMPLETED' },
      },
      {
        msisdn: payees[5],
        amount: 10_006n,
        faults: at('quote', { kind: 'forwardThenHang' }),
        expected: { status: 'COMPLETED' },
      },
      // The dangerous ones: the transfer was sent and committed, its answer lost; the retry must ask, not re-send.
      {
        msisdn: payees[6],
        amount: 10_007n,
        faults: { transfer: { 1: { kind: 'forwardThenReset' } }, lookup: { 1: { kind: 'status', status: 503 } } },
        expected: { status: 'COMPLETED' },
      },
      {
        msisdn: payees[7],
        amount: 10_008n,
        faults: at('transfer', { kind: 'forwardThenHang' }),
        expected: { status: 'COMPLETED' },
      },
      // The transfer never reached the adapter, but we cannot know it (a 503 or no answer may come after it
      // acted): never re-sent, the switch is asked until the quote expires, then the line fails unpaid.
      {
        msisdn: payees[8],
        amount: 10_009n,
        faults: at('transfer', { kind: 'status', status: 503 }),
        expected: { status: 'FAILED', code: 'transfer_not_found' },
      },
      {
        msisdn: payees[9],
        amount: 10_010n,
        faults: at('transfer', { kind: 'hang' }),
        expected: { status: 'FAILED', code: 'transfer_not_found' },
      },
      // It reaches the adapter after we gave up and asked: paid or not, the switch and we must agree.
      {
        msisdn: payees[10],
        amount: 10_011n,
        faults: at('transfer', { kind: 'forwardLate', delayMs: lateMs }),
        expected: { status: 'either' },
      },
      // Mojaloop refusals keep their code through faults on the way.
      {
        msisdn: '22990000404',
        amount: 10_012n,
        faults: at('discover', { kind: 'status', status: 503 }),
        expected: { status: 'FAILED', code: '3204' },
      },
      {
        msisdn: '22990000503',
        amount: 10_013n,
        faults: at('quote', { kind: 'forwardThenHang' }),
        expected: { status: 'FAILED', code: '5101' },
      },
      {
        msisdn: '22990000403',
        amount: 10_014n,
        faults: at('discover', { kind: 'reset' }),
        expected: { status: 'FAILED', code: '5104' },
      },
      // A refusal whose answer was lost: the switch says ABORTED when asked (its 5104 was in the lost answer).
      {
        msisdn: '22990000403',
        amount: 10_015n,
        faults: at('transfer', { kind: 'forwardThenReset' }),
        expected: { status: 'FAILED', code: 'transfer_aborted' },
      },
    ];

    const outcome = await payThroughFaults(lines);
    await expectExactlyOnce(lines, outcome);

    // Every planned fault was really injected, on the line and step it was meant for.
    const { bulk, calls } = outcome;
    lines.forEach((line, index) => {
      for (const [step, byAttempt] of Object.entries(line.faults)) {
        for (const [attempt, action] of Object.entries(byAttempt)) {
          const call = calls.find(
            (c) => c.homeTransactionId === bulk.transferIds[index] && c.step === step && c.attempt === Number(attempt),
          );
          expect({ index, step, attempt, action: call?.action }).toEqual({ index, step, attempt, action: action.kind });
        }
      }
    });
    // The lost transfer answers: the adapter did answer (it acted), our client never saw it, and the line was
    // resolved by asking the switch (GET /transfers/{id}).
    for (const index of [6, 7, 14]) {
      const send = transferCallsOf(calls, bulk.transferIds[index]!)[0]!;
      expect({ index, adapterStatus: send.adapterStatus, answered: send.answered }).toEqual({
        index,
        adapterStatus: index === 14 ? 500 : 200,
        answered: false,
      });
      expect(calls.some((c) => c.homeTransactionId === bulk.transferIds[index] && c.step === 'lookup')).toBe(true);
    }
    console.log(
      `fault proxy bulk: ${lines.length} lines in ${outcome.seconds} s, ${calls.length} adapter calls through the proxy`,
    );
  }, 300_000);

  it('pays every line exactly once when the adapter is down for a while, including a transfer refused at the door', async () => {
    const payees = uniqueMsisdns(8);
    // Line 3 meets the outage at its transfer step by design. The others run alongside: their discovery and quote
    // steps may meet the outage too (retried: nothing is sent before the transfer step). Their transfer steps are
    // held until the outage has ended, so none is written on a kept-alive connection just as the adapter goes down
    // (reset before the adapter reads it, which at the transfer step cannot be told from a reset after it acted:
    // such a line is asked about, never re-sent, and fails unpaid; see the first test's lines 9 and 10). Every line
    // must then be paid, exactly once.
    const lines: PlannedLine[] = payees.map((msisdn, i) => ({
      msisdn,
      amount: 20_000n + BigInt(i),
      faults: {},
      expected: { status: 'COMPLETED' },
    }));
    // The adapter goes down just as line 3 gets its quote: its transfer step (the next call) finds it down. It
    // stays down until that transfer has been refused at the door (a state, not a length of time, however slow
    // the machine), then comes back; the timer of the fault itself is only a backstop.
    const BACKSTOP_MS = 600_000;
    let line3AdapterId: string | null = null;
    let outageStarted = false;
    const outageEnded = barrier();
    let comingUp = false;
    const listener = (failure: { transferId: string; reason: string }) => {
      if (comingUp || failure.transferId !== line3AdapterId || failure.reason !== 'connection_refused') return;
      comingUp = true;
      void proxy.comeUp().then(outageEnded.open);
    };
    recorded.onAcceptQuoteFailure.push(listener);
    recorded.beforeAcceptQuote.wait = (adapterTransferId) =>
      adapterTransferId === line3AdapterId ? Promise.resolve() : outageEnded.promise;
    let outcome: Awaited<ReturnType<typeof payThroughFaults>>;
    try {
      outcome = await payThroughFaults(lines, (call, line) => {
        if (line === lines[2] && call.step === 'quote' && call.attempt === 1) {
          line3AdapterId = call.adapterTransferId;
          outageStarted = true;
          return { kind: 'goDown', downForMs: BACKSTOP_MS };
        }
        return null;
      });
    } finally {
      recorded.onAcceptQuoteFailure.splice(recorded.onAcceptQuoteFailure.indexOf(listener), 1);
      if (proxy.isDown()) await proxy.comeUp();
    }
    await expectExactlyOnce(lines, outcome);

    const { bulk, calls } = outcome;
    expect(outageStarted).toBe(true);
    expect(comingUp).toBe(true);
    // Line 3's transfer was refused at least once (proof that it never left), then sent once after the outage.
    const line3 = outcome.rows[2]!;
    expect(line3.mojaloop_transfer_id).toBe(line3AdapterId);
    expect(sendFailureReasons(line3.mojaloop_transfer_id)).toContain('connection_refused');
    expect(transferCallsOf(calls, bulk.transferIds[2]!)).toHaveLength(1);
    // Every other line sent its transfer once, after the outage: none was refused or reset on the way.
    outcome.rows.forEach((row, index) => {
      if (index === 2) return;
      expect({ line: row.line_number, failures: sendFailureReasons(row.mojaloop_transfer_id) }).toEqual({
        line: row.line_number,
        failures: [],
      });
    });
    console.log(`adapter down until line 3's transfer was refused: ${lines.length} lines in ${outcome.seconds} s`);
  }, 300_000);
});
