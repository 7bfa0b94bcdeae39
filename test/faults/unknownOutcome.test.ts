/**
 * Unknown outcomes never become a second payment. Through the fault proxy in front of the real adapter:
 * - a transfer whose request never reached the adapter, though we cannot know it (no answer): the switch is asked
 *   until the transfer's own expiration has passed, and only then, on its "not found", the line fails;
 * - a transfer the switch committed whose answer was lost: asked, found COMMITTED, paid once;
 * - a transfer the switch refused whose answer was lost: asked, found ABORTED (a definite "not committed").
 * Then retry-failed (the API's path) pays again only the ABORTED one: the line the switch could not tell about may
 * have been paid, and is left to be reconciled by hand.
 */
import { SchemeAdapterClient } from '../../src/payouts/schemeAdapterClient';
import { closeDb, db } from '../support/database';
import { retryFailedPayouts } from '../../src/payouts/payoutClient';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { type BulkPayoutResult, workflowIdForBulk } from '../../src/payouts/contract';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy';
import {
  accountMoney,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  payoutWorker,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  type RunningPeer,
} from '../support/payoutHarness';
import { readPeerLedger } from '../support/peerLedger';

/** Above the adapter's own wait for the switch (8 s in tests), as in production. */
const CLIENT_TIMEOUT_MS = 10_000;
/**
 * Short, so the unknown line fails within seconds: safe here because the `hang` fault never forwards its request,
 * so no transfer exists at the switch (in production it is the adapter's expiry plus a clock-skew margin).
 */
const TRANSFER_EXPIRY_MS = 8_000;

describe('unknown transfer outcomes', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let proxy: FaultProxy;
  let client: SchemeAdapterClient;
  const taskQueue = uniqueTaskQueue('unknown-outcome');

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    proxy = await startFaultProxy({ target: peer.outboundUrl });
    client = new SchemeAdapterClient({ baseUrl: proxy.url, timeoutMs: CLIENT_TIMEOUT_MS });
  });

  afterAll(async () => {
    await client?.close();
    await proxy?.close();
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  async function payBulk(bulkId: string): Promise<BulkPayoutResult> {
    const worker = await payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: client,
      settings: { payoutConcurrency: 3, transferExpiryMs: TRANSFER_EXPIRY_MS },
    });
    return worker.runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulkId);
      return temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulkId)).result();
    });
  }

  async function transfersAtSwitch(homeTransactionId: string): Promise<string[]> {
    return (await readPeerLedger())
      .filter((entry) => entry.homeTransactionId === homeTransactionId)
      .map((entry) => entry.state);
  }

  it('fails a sent line only after its expiration, and retry-failed pays again only a definite "not committed"', async () => {
    const base = 22992000000 + Math.floor(Math.random() * 8_000_000);
    const [neverArrived, answerLost] = [String(base), String(base + 1)];
    const payer = await createPayerAccount(db(), 1_000_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: neverArrived, amount: 11_000n },
      { msisdn: answerLost, amount: 12_000n },
      { msisdn: '22990000403', amount: 13_000n },
    ]);
    const [unknownLine, committedLine, abortedLine] = bulk.transferIds as [string, string, string];
    proxy.setPolicy((call) => {
      // Only the first attempts: a line paid again by retry-failed has its own homeTransactionId, and is let through.
      if (call.step !== 'transfer' || call.attempt !== 1 || !bulk.transferIds.includes(call.homeTransactionId ?? ''))
        return { kind: 'forward' };
      if (call.homeTransactionId === unknownLine) return { kind: 'hang' };
      return { kind: 'forwardThenReset' };
    });

    const result = await payBulk(bulk.bulkId);

    expect(result).toEqual({ bulkId: bulk.bulkId, state: 'COMPLETED', total: 3, completed: 1, failed: 2 });
    const rows = await db()('individual_transfers')
      .where('bulk_id', bulk.bulkId)
      .orderBy('line_number')
      .select('status', 'failure_code', 'transfer_sent_at', 'transfer_expiration', 'completed_at');
    expect(rows.map((row) => [row.status, row.failure_code])).toEqual([
      ['FAILED', 'transfer_not_found'],
      ['COMPLETED', null],
      ['FAILED', 'transfer_aborted'],
    ]);
    // The switch was asked, and the line failed only once the transfer's own expiration had passed.
    const unknown = rows[0]!;
    expect(unknown.transfer_expiration.getTime() - unknown.transfer_sent_at.getTime()).toBe(TRANSFER_EXPIRY_MS);
    expect(unknown.completed_at.getTime()).toBeGreaterThan(unknown.transfer_expiration.getTime());
    const lookups = proxy.log.filter(
      (call) => call.homeTransactionId === unknownLine && call.step === 'lookup' && call.answered,
    );
    expect(lookups.length).toBeGreaterThanOrEqual(1);
    expect(
      proxy.log
        .filter((call) => call.homeTransactionId === unknownLine && call.step === 'transfer')
        .map((call) => call.adapterStatus),
    ).toEqual([null]);
    expect(await transfersAtSwitch(unknownLine)).toEqual([]);
    expect(await transfersAtSwitch(committedLine)).toEqual(['COMMITTED']);
    expect(await transfersAtSwitch(abortedLine)).toEqual(['ABORTED']);

    // Retry-failed, as the API sends it: only the aborted line is a new attempt; the unknown one is left alone.
    const retried = await (
      await payoutWorker(temporal, taskQueue, {
        db: db(),
        adapter: client,
        settings: { transferExpiryMs: TRANSFER_EXPIRY_MS },
      })
    ).runUntil(async () => {
      const outcome = await retryFailedPayouts(
        { client: temporal.client, connection: temporal.connection },
        taskQueue,
        bulk.bulkId,
        { operator: 'ops.test' },
      );
      const again = await temporal.client.workflow
        .getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulk.bulkId))
        .result();
      return { outcome, again };
    });
    expect(retried.outcome).toEqual({ retried: 1, reserved: '13000' });
    expect(retried.again).toMatchObject({ state: 'COMPLETED', completed: 1, failed: 2 });
    expect(
      (
        await db()('individual_transfers')
          .where('bulk_id', bulk.bulkId)
          .orderBy('line_number')
          .select('status', 'failure_code', 'attempt')
      ).map(Object.values),
    ).toEqual([
      ['FAILED', 'transfer_not_found', 1],
      ['COMPLETED', null, 1],
      ['FAILED', '5104', 2],
    ]);
    expect(await transfersAtSwitch(unknownLine)).toEqual([]);
    expect(await transfersAtSwitch(`${abortedLine}-2`)).toEqual(['ABORTED']);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 1_000_000n - 12_000n, reserved: 0n });
  }, 180_000);
});
