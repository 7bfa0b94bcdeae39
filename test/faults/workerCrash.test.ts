/**
 * Fault: the worker process is killed with SIGKILL in the middle of a bulk, twice, and restarted. The bulk must
 * finish with every line paid exactly once AT THE PEER (the switch's own record of committed transfers), and the
 * payer account must be exact. Activities in flight on a killed worker are retried by Temporal once their
 * start-to-close timeout passes, so this test takes a few minutes.
 * The peer is a private one (its switch's ledger lives exactly as long as this file: the shared one may be
 * restarted, its ledger emptied, by another run), and payments are counted by this bulk's own transaction ids.
 * The worker reaches it through the fault proxy, which holds lines at the adapter's door (never faults them) so
 * each kill surely finds the bulk mid-way, however fast the machine: lines 5-12 wait until the second worker has
 * started, lines 13-24 until the third.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDb, db } from '../support/database';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { stopChild } from '../../temporal/devServer';
import {
  accountMoney,
  completedLineCount,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  type TemporalForTests,
  uniqueTaskQueue,
  waitFor,
} from '../support/payoutHarness';
import { type Barrier, barrier } from '../support/barrier';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy';
import { countCommittedPaymentsByPayee, countCommittedTransfersByHomeTransactionId } from '../support/peerLedger';
import { type PrivatePeer, startPrivatePeer } from '../support/privatePeer';
import { expectJournalAgrees } from '../support/journalInvariant';

const ROOT = path.resolve(__dirname, '../..');
const LINES = 24;
const AMOUNT = 45000n;

function startWorkerProcess(taskQueue: string, schemeAdapterUrl: string): ChildProcess {
  const log = openSync(path.join(process.env.TEST_SCRATCH_DIR ?? os.tmpdir(), `worker-${taskQueue}.log`), 'a');
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/worker/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SCHEME_ADAPTER_URL: schemeAdapterUrl,
      BULK_PAYOUT_CONCURRENCY: '4',
      WORKER_METRICS_PORT: '0',
      TEMPORAL_METRICS_BIND_ADDRESS: '',
      LOG_LEVEL: 'warn',
    },
    // The worker's own logs, for when this test fails.
    stdio: ['ignore', log, log],
  });
}

async function killHard(worker: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGKILL');
  await exited;
}

describe('worker killed mid-bulk', () => {
  let temporal: TemporalForTests;
  let worker: ChildProcess | undefined;
  let peer: PrivatePeer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    peer = await startPrivatePeer('crash');
    proxy = await startFaultProxy({ target: peer.outboundUrl });
    temporal = await connectTemporal();
  });

  afterAll(async () => {
    if (worker) await stopChild(worker);
    await proxy?.close();
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  it('finishes the bulk after two SIGKILLs with every line paid exactly once at the switch', async () => {
    const taskQueue = uniqueTaskQueue('crash');
    const initialBalance = 10_000_000n;
    const payer = await createPayerAccount(db(), initialBalance);
    // A payee of its own for every line, so the switch's record tells each line apart.
    const base = 22970000000 + Math.floor(Math.random() * 8_000_000);
    const payees = Array.from({ length: LINES }, (_, i) => String(base + i));
    const bulk = await insertBulk(
      db(),
      payer,
      payees.map((msisdn) => ({ msisdn, amount: AMOUNT })),
    );

    /** For each kill, the lines held (at discovery) until the next worker has started, and which of them arrived. */
    const holds: Array<{ lines: Set<string>; restarted: Barrier; arrived: Set<string> }> = [
      { lines: new Set(bulk.transferIds.slice(4, 12)), restarted: barrier(), arrived: new Set() },
      { lines: new Set(bulk.transferIds.slice(12)), restarted: barrier(), arrived: new Set() },
    ];
    proxy.setPolicy((call) => {
      const hold =
        call.step === 'discover'
          ? holds.find((candidate) => candidate.lines.has(call.homeTransactionId ?? ''))
          : undefined;
      if (!hold) return { kind: 'forward' };
      hold.arrived.add(call.homeTransactionId!);
      // A call held when its worker is killed is never forwarded (its client is gone); the next worker calls again.
      return { kind: 'holdUntil', release: hold.restarted.promise };
    });

    const progressAtKill: number[] = [];
    try {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      worker = startWorkerProcess(taskQueue, proxy.url);
      for (const hold of holds) {
        const before = await completedLineCount(db(), bulk.bulkId);
        // More lines paid since the last start, and a held line in flight: the kill hits a bulk mid-way.
        await waitFor(
          async () =>
            (await completedLineCount(db(), bulk.bulkId)) >= before + (hold === holds[0] ? 3 : 1) &&
            hold.arrived.size > 0,
          240_000,
          100,
        );
        await killHard(worker);
        progressAtKill.push(await completedLineCount(db(), bulk.bulkId));
        worker = startWorkerProcess(taskQueue, proxy.url);
        hold.restarted.open();
      }
    } finally {
      for (const hold of holds) hold.restarted.open();
    }
    // The kills really interrupted the bulk: at the first, only lines 1-4 could have been paid; at the second, only 1-12.
    expect(progressAtKill[0]).toBeGreaterThanOrEqual(3);
    expect(progressAtKill[0]).toBeLessThanOrEqual(4);
    expect(progressAtKill[1]).toBeGreaterThan(progressAtKill[0]!);
    expect(progressAtKill[1]).toBeLessThanOrEqual(12);

    const finished = await waitFor(
      async () => {
        const row = await db()('bulk_transfers').where({ bulk_id: bulk.bulkId }).first();
        return row.state === 'COMPLETED' || row.state === 'FAILED' ? row : null;
      },
      420_000,
      500,
    );
    await stopChild(worker);
    worker = undefined;

    const unpaid = await db()('individual_transfers')
      .where({ bulk_id: bulk.bulkId })
      .whereNot({ status: 'COMPLETED' })
      .select('line_number', 'status', 'failure_code', 'failure_message', 'transfer_sent_at');
    expect(unpaid).toEqual([]);
    expect(finished.state).toBe('COMPLETED');
    // Each line's transaction committed exactly once at the switch, and each payee was paid exactly once.
    const committed = await countCommittedTransfersByHomeTransactionId(bulk.transferIds, peer.adminUrl);
    expect(Object.fromEntries(committed)).toEqual(Object.fromEntries(bulk.transferIds.map((id) => [id, 1])));
    const paidAtSwitch = await countCommittedPaymentsByPayee(payees, peer.adminUrl);
    expect(Object.fromEntries(paidAtSwitch)).toEqual(Object.fromEntries(payees.map((payee) => [payee, 1])));
    expect(await accountMoney(db(), payer.accountId)).toEqual({
      balance: initialBalance - AMOUNT * BigInt(LINES),
      reserved: 0n,
    });
    await expectJournalAgrees(db(), payer.accountId);
  }, 600_000);
});
