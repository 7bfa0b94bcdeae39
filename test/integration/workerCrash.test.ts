/**
 * Fault: the worker process is killed with SIGKILL in the middle of a bulk, twice, and restarted. The bulk must
 * finish with every line paid exactly once AT THE PEER (the switch's own record of committed transfers), and the
 * payer account must be exact. Activities in flight on a killed worker are retried by Temporal once their
 * start-to-close timeout passes, so this test takes a few minutes.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDb, db } from '../../src/db/knex';
import { startBulkPayout } from '../../src/payouts/bulkPayoutClient';
import { stopChild } from '../../temporal/devServer';
import { accountMoney, connectTemporal, createPayerAccount, insertBulk, TemporalForTests, uniqueTaskQueue, waitFor } from '../support/payoutHarness';
import { countCommittedPaymentsByPayee } from '../support/peerLedger';
import { expectJournalAgrees } from '../support/journalInvariant';

const ROOT = path.resolve(__dirname, '../..');
const LINES = 24;
const AMOUNT = 45000n;

function startWorkerProcess(taskQueue: string): ChildProcess {
  const log = openSync(path.join(process.env.TEST_SCRATCH_DIR ?? os.tmpdir(), `worker-${taskQueue}.log`), 'a');
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/worker/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: taskQueue,
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

async function completedLines(bulkId: string): Promise<number> {
  const [row] = await db()('individual_transfers').where({ bulk_id: bulkId, status: 'COMPLETED' }).count<{ count: string }[]>('* as count');
  return Number(row.count);
}

describe('worker killed mid-bulk', () => {
  let temporal: TemporalForTests;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    temporal = await connectTemporal();
  });

  afterAll(async () => {
    if (worker) await stopChild(worker);
    await temporal?.close();
    await closeDb();
  });

  it('finishes the bulk after two SIGKILLs with every line paid exactly once at the switch', async () => {
    const taskQueue = uniqueTaskQueue('crash');
    const initialBalance = 10_000_000n;
    const payer = await createPayerAccount(db(), initialBalance);
    // A payee of its own for every line, so the switch's record tells each line apart.
    const base = 22970000000 + Math.floor(Math.random() * 8_000_000);
    const payees = Array.from({ length: LINES }, (_, i) => String(base + i));
    const bulk = await insertBulk(db(), payer, payees.map((msisdn) => ({ msisdn, amount: AMOUNT })));

    await startBulkPayout(temporal, taskQueue, bulk.bulkId);
    worker = startWorkerProcess(taskQueue);
    await waitFor(async () => (await completedLines(bulk.bulkId)) >= 3, 120_000, 100);
    await killHard(worker);

    worker = startWorkerProcess(taskQueue);
    const beforeSecondKill = await completedLines(bulk.bulkId);
    await waitFor(async () => (await completedLines(bulk.bulkId)) > beforeSecondKill, 240_000, 100);
    await killHard(worker);
    expect(await completedLines(bulk.bulkId)).toBeLessThan(LINES); // the kills really interrupted the bulk

    worker = startWorkerProcess(taskQueue);
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
    const paidAtSwitch = await countCommittedPaymentsByPayee(payees);
    for (const payee of payees) expect({ payee, payments: paidAtSwitch.get(payee) }).toEqual({ payee, payments: 1 });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: initialBalance - AMOUNT * BigInt(LINES), reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  }, 600_000);
});
