/**
 * Fault: Postgres drops the worker's connections in the middle of a bulk, again and again
 * (pg_terminate_backend, what a database failover or an admin kill does). Two kinds of kill:
 * - blind: every connection of the database is terminated, whatever it is doing (mostly idle pool connections,
 *   sometimes a query in flight), once per line let go by the proxy, as soon as that line's work has a connection;
 * - aimed: a row is locked from the test so that one precise write of the worker blocks on it, then the worker's
 *   connections are terminated, so that write surely dies: the payer's account row (the settlement transaction,
 *   line status already updated, money not yet moved), and once a line's row just as its quote comes back
 *   (the quote is at the adapter, not in our database: the retry must not lose the line).
 * Activities must fail and be retried, and nothing may be lost or done twice: every line final, paid exactly once
 * at the switch, the account exact. The worker runs in this process with a knex pool of its own (as in its own
 * process), whose query errors are counted to prove the kills really hit it. Its adapter calls go through the
 * fault proxy only to hold that one quote answer until its row is locked and to keep the last lines waiting until
 * their kill round (test/support/faultProxy.ts); no adapter call is faulted. Nothing waits on time: every step
 * waits on a state (a request seen, a lock waited on, a connection to kill).
 */
import type { Worker } from '@temporalio/worker';
import knexFactory, { type Knex } from 'knex';
import { Client as PgClient } from 'pg';
import { config } from '../../src/config';
import { knexConfig } from '../../src/db/knex';
import { closeDb, db } from '../support/database';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { type BulkPayoutResult, workflowIdForBulk } from '../../src/payouts/contract';
import {
  accountMoney,
  adapterClient,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  payoutWorker,
  type TemporalForTests,
  uniqueTaskQueue,
  waitFor,
} from '../support/payoutHarness';
import { barrier } from '../support/barrier';
import { countCommittedPaymentsByPayee } from '../support/peerLedger';
import { type PrivatePeer, startPrivatePeer } from '../support/privatePeer';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy';
import { expectJournalAgrees } from '../support/journalInvariant';

const INITIAL_BALANCE = 50_000_000n;
const AIMED_KILLS = 3; // settlement transactions killed (plus one quote write)
const BLIND_KILLS = 12;

/** Terminates every other connection to the test database; returns how many there were. */
async function killAll(killer: PgClient, spare: number[] = []): Promise<number> {
  const result = await killer.query<{ killed: boolean }>(
    `select pg_terminate_backend(pid) as killed from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and not (pid = any($1::int[]))`,
    [spare],
  );
  return result.rows.filter((row) => row.killed).length;
}

async function connect(): Promise<PgClient> {
  const client = new PgClient({ connectionString: config().database.url });
  // A connection of the test itself must never take the test process down if the server drops it.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('Postgres connections lost mid-bulk', () => {
  let peer: PrivatePeer;
  let temporal: TemporalForTests;
  let workerDb: Knex;
  let worker: Worker;
  let proxy: FaultProxy;
  let killer: PgClient;
  let locker: PgClient;
  let lockerPid: number;
  const taskQueue = uniqueTaskQueue('pgfault');
  const workerQueryErrors: Array<{ sql: string; message: string }> = [];
  const workerPoolWarnings: string[] = [];

  beforeAll(async () => {
    peer = await startPrivatePeer('pgfault');
    temporal = await connectTemporal();
    // knex warns when it finds a pooled connection dead and drops it: kept, not printed (there are many here).
    workerDb = knexFactory({
      ...knexConfig(config().database.url, 10),
      log: { warn: (message: string) => void workerPoolWarnings.push(message) },
    });
    workerDb.on('query-error', (error: Error, query: { sql?: string }) =>
      workerQueryErrors.push({ sql: query.sql ?? '', message: error.message }),
    );
    killer = await connect();
    locker = await connect();
    lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    proxy = await startFaultProxy({ target: peer.outboundUrl });
    worker = await payoutWorker(temporal, taskQueue, {
      db: workerDb,
      adapter: adapterClient(proxy.url),
      settings: { payoutConcurrency: 4 },
    });
  });

  afterAll(async () => {
    await killer?.end().catch(() => undefined);
    await locker?.end().catch(() => undefined);
    await workerDb?.destroy();
    await proxy?.close();
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  it('finishes the bulk with every line paid exactly once while its connections are killed, in and out of transactions', async () => {
    const base = 22991000000 + Math.floor(Math.random() * 8_000_000);
    const payees = Array.from({ length: 30 }, (_, i) => String(base + i));
    const lines = [
      ...payees.map((msisdn, i) => ({ msisdn, amount: 30_000n + BigInt(i) })),
      { msisdn: '22990000404', amount: 40_001n },
      { msisdn: '22990000503', amount: 40_002n },
      { msisdn: '22990000403', amount: 40_003n },
    ];
    const payer = await createPayerAccount(db(), INITIAL_BALANCE);
    const bulk = await insertBulk(db(), payer, lines);

    const kills = { blindRounds: 0, blindTerminated: 0, aimed: [] as string[] };

    // Line 2's quote answer is held by the proxy until the test has locked its row, so the worker's write of the
    // quote surely meets the lock, however fast or slow the machine.
    const quoteLine = bulk.transferIds[1]!;
    const quoteRequested = barrier();
    const quoteRowLocked = barrier();
    // The last BLIND_KILLS lines are held at the proxy (before the adapter) and let go one per blind round: the
    // bulk cannot end before the kills are done, and every round has a worker connection to kill.
    const heldLines = bulk.transferIds.slice(-BLIND_KILLS).map((transferId) => ({ transferId, release: barrier() }));
    proxy.setPolicy((call) => {
      const held = heldLines.find((line) => line.transferId === call.homeTransactionId);
      if (held && call.step === 'discover' && call.attempt === 1)
        return { kind: 'holdUntil', release: held.release.promise };
      if (call.step !== 'quote' || call.homeTransactionId !== quoteLine || call.attempt !== 1)
        return { kind: 'forward' };
      quoteRequested.open();
      return { kind: 'forwardThenHoldUntil', release: quoteRowLocked.promise };
    });

    // Backends already terminated: one can still be listed as waiting on the lock for a moment while it exits, and
    // must not be taken for the next write to kill.
    const terminatedPids = new Set<number>();

    /** Locks a row until a worker write waits on it, then terminates the worker's connections: that write dies. */
    async function aimedKill(
      lockSql: string,
      parameters: unknown[],
      expected: RegExp,
      onLocked = () => {},
    ): Promise<void> {
      await locker.query('begin');
      await locker.query(lockSql, parameters);
      onLocked();
      try {
        const blocked = await waitFor(
          async () => {
            const rows = await killer.query<{ pid: number; query: string }>(
              `select pid, query from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> $1`,
              [lockerPid],
            );
            const waiting = rows.rows.filter((row) => !terminatedPids.has(row.pid));
            if (!waiting.some((row) => expected.test(row.query))) return null;
            for (const row of waiting) terminatedPids.add(row.pid);
            return waiting.map((row) => row.query).join(' | ');
          },
          90_000,
          20,
        );
        await killAll(killer, [lockerPid]);
        kills.aimed.push(blocked);
      } finally {
        await locker.query('rollback');
      }
    }

    async function chaos(): Promise<void> {
      try {
        await quoteRequested.promise;
        await aimedKill(
          'select 1 from individual_transfers where transfer_id = $1 for update',
          [quoteLine],
          /set "quote_id"/,
          quoteRowLocked.open,
        );
        // Each kill fails a settlement, whose retry (a second later at the earliest) is the next one's target.
        while (kills.aimed.length < 1 + AIMED_KILLS) {
          await aimedKill('select 1 from accounts where id = $1 for update', [payer.accountId], /update accounts/);
        }
        for (const held of heldLines) {
          held.release.open();
          // The released line's steps need connections: kill as soon as one exists (and count only such rounds).
          kills.blindTerminated += await waitFor(async () => (await killAll(killer, [lockerPid])) || null, 90_000, 20);
          kills.blindRounds++;
        }
      } finally {
        quoteRowLocked.open();
        for (const held of heldLines) held.release.open();
      }
    }

    const started = Date.now();
    const [result] = await worker.runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      const handle = temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(
        workflowIdForBulk(bulk.bulkId),
      );
      return Promise.all([handle.result(), chaos()]);
    });
    const seconds = Math.round((Date.now() - started) / 1000);

    // The test's own shared pool lost its connections too; it recovers on its own (knex drops dead connections).
    await expect(db().raw('select 1 as ok')).resolves.toBeTruthy();
    // Assertions read through a pool made after the kills, so nothing stale can answer them.
    const fresh = knexFactory(knexConfig(config().database.url, 2));
    try {
      const rows = await fresh('individual_transfers')
        .where('bulk_id', bulk.bulkId)
        .orderBy('line_number')
        .select('line_number', 'payee_party_identifier', 'status', 'failure_code');
      expect(rows.map((row) => [row.payee_party_identifier, row.status, row.failure_code])).toEqual([
        ...payees.map((payee) => [payee, 'COMPLETED', null]),
        ['22990000404', 'FAILED', '3204'],
        ['22990000503', 'FAILED', '5101'],
        ['22990000403', 'FAILED', '5104'],
      ]);
      expect(result).toEqual({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: lines.length,
        completed: payees.length,
        failed: 3,
      });
      const bulkRow = await fresh('bulk_transfers').where('bulk_id', bulk.bulkId).first('state');
      expect(bulkRow.state).toBe('COMPLETED');

      const paidAtSwitch = await countCommittedPaymentsByPayee(
        [...payees, '22990000404', '22990000503', '22990000403'],
        peer.adminUrl,
      );
      for (const payee of payees) expect({ payee, payments: paidAtSwitch.get(payee) }).toEqual({ payee, payments: 1 });
      for (const payee of ['22990000404', '22990000503', '22990000403'])
        expect({ payee, payments: paidAtSwitch.get(payee) }).toEqual({ payee, payments: 0 });

      const paid = lines.slice(0, payees.length).reduce((sum, line) => sum + line.amount, 0n);
      expect(await accountMoney(fresh, payer.accountId)).toEqual({ balance: INITIAL_BALANCE - paid, reserved: 0n });
      await expectJournalAgrees(fresh, payer.accountId);
    } finally {
      await fresh.destroy();
    }
    // The kills happened and hit the worker: its queries failed, including its settlement transaction.
    expect(kills.blindRounds).toBe(BLIND_KILLS);
    expect(kills.blindTerminated).toBeGreaterThanOrEqual(BLIND_KILLS);
    expect(kills.aimed).toHaveLength(1 + AIMED_KILLS);
    expect(kills.aimed[0]).toMatch(/set "quote_id"/);
    for (const query of kills.aimed.slice(1)) expect(query).toMatch(/update accounts/);
    expect(workerQueryErrors.filter((error) => /set "quote_id"/.test(error.sql)).length).toBeGreaterThanOrEqual(1);
    expect(workerQueryErrors.filter((error) => /update accounts/.test(error.sql)).length).toBeGreaterThanOrEqual(
      AIMED_KILLS,
    );
    // Line 2's quote was lost with its write; its adapter transfer could not be resumed (a second acceptParty
    // aborts it), so the line started over with a new one, and was paid once (checked above).
    const line2Calls = proxy.log.filter((call) => call.homeTransactionId === quoteLine);
    expect(line2Calls.filter((call) => call.step === 'discover').length).toBeGreaterThanOrEqual(2);
    expect(line2Calls.filter((call) => call.step === 'transfer')).toHaveLength(1);

    console.log(
      `Postgres kills: ${lines.length} lines in ${seconds} s; ${kills.blindRounds} blind rounds (${kills.blindTerminated} connections), ` +
        `${kills.aimed.length} aimed kills (a quote write, then settlements), ${workerQueryErrors.length} worker query errors, ` +
        `${workerPoolWarnings.length} dead pooled connections dropped`,
    );
  }, 300_000);
});
