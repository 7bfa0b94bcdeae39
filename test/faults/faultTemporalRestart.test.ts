/**
 * Fault: the Temporal server itself dies (SIGKILL) in the middle of a bulk, twice, and comes back on the same
 * address with the same persistence (a dev server of this test's own, SQLite file in the test scratch folder).
 * The worker keeps running through it. The bulk must finish with every line paid exactly once AT THE PEER and
 * the payer account exact: whatever Temporal re-runs after the restart (activities whose completion was lost,
 * workflow tasks) must find the database already right and the transfer already sent.
 * Lines are held at the adapter's door (a barrier in the adapter) so that each crash surely finds the bulk
 * unfinished, with a line in flight, however fast the machine pays: lines 5-12 wait until the server is back from
 * the first crash, lines 13-20 until it is back from the second.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { config } from '../../src/config';
import { logger } from '../../src/logging/logger';
import { temporalLoggerFor } from '../../src/logging/temporalLogger';
import { closeDb, db } from '../support/database';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { type BulkPayoutResult, workflowIdForBulk } from '../../src/payouts/contract';
import { createPayoutWorker } from '../../src/worker/createWorker';
import { freePort, type RunningDevServer, startTemporalDevServer } from '../../temporal/devServer';
import {
  accountMoney,
  adapterClient,
  completedLineCount,
  createPayerAccount,
  insertBulk,
  waitFor,
} from '../support/payoutHarness';
import { type Barrier, barrier } from '../support/barrier';
import { countCommittedPaymentsByPayee } from '../support/peerLedger';
import { type PrivatePeer, startPrivatePeer } from '../support/privatePeer';
import { expectJournalAgrees } from '../support/journalInvariant';

const LINES = 20;
const AMOUNT = 25_000n;
const OUTAGE_MS = 5_000;

describe('Temporal server restarted mid-bulk', () => {
  const scratch = process.env.TEST_SCRATCH_DIR ?? os.tmpdir();
  const dbFile = path.join(scratch, `temporal-restart-${randomUUID().slice(0, 8)}.db`);
  const logFile = path.join(scratch, 'temporal-restart.log');
  let port: number;
  let server: RunningDevServer | undefined;
  let peer: PrivatePeer;
  let connection: Connection | undefined;
  let nativeConnection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;

  const startServer = async (): Promise<RunningDevServer> => startTemporalDevServer({ port, dbFile, logFile });

  /** SIGKILL, as a crash or an OOM kill: no chance to flush or say goodbye. */
  async function crashServer(): Promise<void> {
    const running = server!;
    server = undefined;
    const exited = new Promise((resolve) => running.process.once('exit', resolve));
    running.process.kill('SIGKILL');
    await exited;
    await running.stop(); // already gone: only forgets it
  }

  beforeAll(async () => {
    try {
      // The SDK's log lines (its retries while the server is down are many) through our logger, silent in tests.
      // Core's own lines too (forward), or its retries while the server is down print straight to stderr.
      Runtime.install({ logger: temporalLoggerFor(logger), telemetryOptions: { logging: { forward: {} } } });
    } catch {
      // Installed already in this process.
    }
    peer = await startPrivatePeer('restart');
    port = await freePort();
    server = await startServer();
  });

  afterAll(async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await workerRun?.catch(() => undefined);
    await nativeConnection?.close();
    await connection?.close();
    await server?.stop();
    await peer?.stop();
    await closeDb();
  });

  it('finishes the bulk after two server crashes with every line paid exactly once at the switch', async () => {
    const address = `127.0.0.1:${port}`;
    const namespace = config().temporal.namespace;
    connection = await Connection.connect({ address });
    nativeConnection = await NativeConnection.connect({ address });
    const client = new Client({ connection, namespace });
    const taskQueue = `restart-${randomUUID().slice(0, 8)}`;
    const real = adapterClient(peer.outboundUrl);
    const initialBalance = 10_000_000n;
    const payer = await createPayerAccount(db(), initialBalance);
    const base = 22991000000 + Math.floor(Math.random() * 8_000_000);
    const payees = Array.from({ length: LINES }, (_, i) => String(base + i));
    const bulk = await insertBulk(
      db(),
      payer,
      payees.map((msisdn) => ({ msisdn, amount: AMOUNT })),
    );
    /** For each restart, the lines held until the server is back from that crash, and which of them arrived. */
    const holds: Array<{ lines: Set<string>; restarted: Barrier; arrived: Set<string> }> = [
      { lines: new Set(bulk.transferIds.slice(4, 12)), restarted: barrier(), arrived: new Set() },
      { lines: new Set(bulk.transferIds.slice(12)), restarted: barrier(), arrived: new Set() },
    ];
    worker = await createPayoutWorker({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH,
      dependencies: {
        db: db(),
        adapter: {
          startTransfer: async (request) => {
            const hold = holds.find((candidate) => candidate.lines.has(request.homeTransactionId));
            if (hold) {
              hold.arrived.add(request.homeTransactionId);
              await hold.restarted.promise;
            }
            return real.startTransfer(request);
          },
          acceptParty: (transferId) => real.acceptParty(transferId),
          acceptQuote: (transferId) => real.acceptQuote(transferId),
          getTransfer: (transferId) => real.getTransfer(transferId),
        },
        settings: {
          maxFeeMinorUnits: config().mojaloop.maxFeeMinorUnits,
          payoutConcurrency: 4,
          pageSize: config().bulk.pageSize,
        },
      },
    });
    let workerFailure: unknown;
    workerRun = worker.run().catch((error: unknown) => {
      workerFailure = error;
    });

    const started = Date.now();
    await startBulkPayout({ client, connection }, taskQueue, bulk.bulkId);

    const progressAtCrash: number[] = [];
    const heldAtCrash: number[] = [];
    try {
      for (const hold of holds) {
        const before = await completedLineCount(db(), bulk.bulkId);
        // Three more lines paid since the last crash, and a held line in flight: the crash hits a bulk mid-way.
        await waitFor(
          async () => (await completedLineCount(db(), bulk.bulkId)) >= before + 3 && hold.arrived.size > 0,
          180_000,
          100,
        );
        await crashServer();
        progressAtCrash.push(await completedLineCount(db(), bulk.bulkId));
        heldAtCrash.push(hold.arrived.size);
        // The outage itself: a fixed length on purpose (the fault), not a wait for something to happen. Nothing
        // held can move meanwhile: its lines are let go only once the server is back.
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
        server = await startServer();
        hold.restarted.open();
      }
    } finally {
      for (const hold of holds) hold.restarted.open();
    }
    // The crashes really interrupted the bulk: at the first, only lines 1-4 could have been paid; at the second,
    // only lines 1-12; and each time a held line was in flight.
    expect(progressAtCrash[0]).toBeGreaterThanOrEqual(3);
    expect(progressAtCrash[0]).toBeLessThanOrEqual(4);
    expect(progressAtCrash[1]).toBeGreaterThanOrEqual(progressAtCrash[0]! + 3);
    expect(progressAtCrash[1]).toBeLessThanOrEqual(12);
    for (const held of heldAtCrash) expect(held).toBeGreaterThanOrEqual(1);

    const finished = await waitFor(
      async () => {
        const row = await db()('bulk_transfers').where({ bulk_id: bulk.bulkId }).first('state');
        return row.state === 'COMPLETED' || row.state === 'FAILED' ? row : null;
      },
      360_000,
      500,
    );
    const seconds = Math.round((Date.now() - started) / 1000);
    expect(workerFailure).toBeUndefined(); // the worker rode out both outages
    expect(finished.state).toBe('COMPLETED');

    // The workflow survived in the server's persistence (started before both crashes) and closed normally.
    const result = await client.workflow
      .getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulk.bulkId))
      .result();
    expect(result).toEqual({ bulkId: bulk.bulkId, state: 'COMPLETED', total: LINES, completed: LINES, failed: 0 });

    const unpaid = await db()('individual_transfers')
      .where({ bulk_id: bulk.bulkId })
      .whereNot({ status: 'COMPLETED' })
      .select('line_number', 'status', 'failure_code', 'failure_message');
    expect(unpaid).toEqual([]);
    const paidAtSwitch = await countCommittedPaymentsByPayee(payees, peer.adminUrl);
    for (const payee of payees) expect({ payee, payments: paidAtSwitch.get(payee) }).toEqual({ payee, payments: 1 });
    expect(await accountMoney(db(), payer.accountId)).toEqual({
      balance: initialBalance - AMOUNT * BigInt(LINES),
      reserved: 0n,
    });
    await expectJournalAgrees(db(), payer.accountId);
    console.log(
      `Temporal crashed twice (at ${progressAtCrash.join(' and ')} of ${LINES} lines paid): bulk done in ${seconds} s`,
    );
  }, 540_000);
});
