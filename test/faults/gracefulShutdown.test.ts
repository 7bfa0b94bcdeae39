/**
 * SIGTERM to the real processes (`src/api/server.ts`, `src/worker/main.ts`, started as child processes the way a
 * container runtime runs them): the API stops accepting connections at once but answers the request it is in the
 * middle of, then exits 0; the worker stops polling but lets the activity it is running finish (here the money-
 * moving confirmTransfer, its answer held by a proxy in front of the real adapter until the worker has logged that
 * it is stopping), then exits 0. Nothing waits on time: each step waits on a log line or a held call.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { closeDb, db } from '../support/database';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { freePort } from '../../temporal/devServer';
import { createBulkTestApp, createFund, CSV_HEADER } from '../support/bulkFixtures';
import { barrier } from '../support/barrier';
import { type FaultProxy, startFaultProxy } from '../support/faultProxy';
import {
  connectTemporal,
  createPayerAccount,
  insertBulk,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  waitFor,
} from '../support/payoutHarness';
import { workflowIdForBulk, workflowIdForLine } from '../../src/payouts/contract';

const ROOT = path.resolve(__dirname, '../..');

type LogLine = { msg: string; [field: string]: unknown };

interface Started {
  child: ChildProcess;
  /** Every pino line the process printed so far (parsed). */
  lines: LogLine[];
  /** Once the process has exited AND its output has been read to the end (its last log lines are in `lines`). */
  exited: Promise<{ code: number | null }>;
}

/** Runs an entry point as its own process with the test services' environment plus `env`. */
function startProcess(entry: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete) {
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        // Not a log line (tsx or the SDK printing): not ours to check.
      }
    }
  });
  child.stderr.resume();
  // 'close', not 'exit': 'exit' may come before the last lines on stdout have been read.
  const exited = new Promise<{ code: number | null }>((resolve) => child.once('close', (code) => resolve({ code })));
  return { child, lines, exited };
}

/** Waits for the process to print a line (with `msg` = message and, when given, matching `match`); its index. */
function logged(started: Started, message: string, match: (line: LogLine) => boolean = () => true): Promise<number> {
  const find = () => started.lines.findIndex((line) => line.msg === message && match(line));
  return waitFor(async () => (find() >= 0 ? find() + 1 : null), 90_000, 50).then((position) => position - 1);
}

function indexOf(started: Started, message: string, match: (line: LogLine) => boolean = () => true): number {
  return started.lines.findIndex((line) => line.msg === message && match(line));
}

describe('graceful shutdown on SIGTERM', () => {
  const running: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closeDb();
  });

  it('API: refuses new connections at once, still answers the upload in flight, then exits 0', async () => {
    const taskQueue = uniqueTaskQueue('shutdown-api'); // no worker polls it: the upload's workflow just waits
    const { server } = createBulkTestApp({}, taskQueue);
    const fund = await createFund(server, { balance: 10_000_000n });
    const port = await freePort();
    const api = startProcess('src/api/server.ts', {
      PORT: String(port),
      HOST: '127.0.0.1',
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    running.push(api.child);
    await waitFor(
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      200,
    );

    // A multipart upload whose body arrives in two parts: SIGTERM lands between them, mid-request. The request
    // asks `Expect: 100-continue`: the server answers 100 once it has read the headers and taken the request up,
    // so the test knows it is in flight (no pause to guess it).
    const boundary = 'shutdown-test-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\nContent-Type: text/csv\r\n\r\n${CSV_HEADER}`;
    const tail = `MSISDN,22997123401,XOF,1500\nMSISDN,22997123402,XOF,2500\n\r\n--${boundary}--\r\n`;
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/bulk-transfers',
          headers: {
            authorization: `Bearer ${fund.gestionnaire.token}`,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': Buffer.byteLength(head) + Buffer.byteLength(tail),
            expect: '100-continue',
          },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      request.once('continue', () => {
        request.write(head);
        api.child.kill('SIGTERM');
        logged(api, 'API shutting down')
          .then(async () => {
            // Stopped listening: a new connection is refused while the upload is still open.
            await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
            expect(api.child.exitCode).toBeNull();
            // The upload has not been answered yet.
            expect(indexOf(api, 'request', (line) => line.path === '/api/bulk-transfers')).toBe(-1);
            request.end(tail);
          })
          .catch(reject);
      });
      request.flushHeaders();
    });

    const { status, body } = await answer;
    expect(status).toBe(202);
    const bulkId = (JSON.parse(body) as { bulkTransferId: string }).bulkTransferId;
    const bulk = await db()('bulk_transfers').where('bulk_id', bulkId).first('transfers_count', 'total_amount');
    expect(bulk).toEqual({ transfers_count: 2, total_amount: '4000' });

    const { code } = await api.exited;
    expect(code).toBe(0);
    // In that order: the signal, then the upload's answer (202), and nothing after.
    const shuttingDown = indexOf(api, 'API shutting down');
    const uploadLogged = indexOf(api, 'request', (line) => line.path === '/api/bulk-transfers' && line.status === 202);
    expect(shuttingDown).toBeGreaterThanOrEqual(0);
    expect(uploadLogged).toBeGreaterThan(shuttingDown);
  });

  describe('worker', () => {
    let peer: RunningPeer;
    let temporal: TemporalForTests;
    let proxy: FaultProxy;

    beforeAll(async () => {
      peer = await useMojaloopPeer();
      temporal = await connectTemporal();
    });

    afterAll(async () => {
      await proxy?.close();
      await temporal?.close();
      await peer?.stop();
    });

    it('lets the running activity (the transfer being confirmed) finish, then exits 0', async () => {
      const taskQueue = uniqueTaskQueue('shutdown-worker');
      // The real adapter confirms the transfer; its answer is held by the proxy until the test has seen the worker
      // take the SIGTERM (and not exit), so the activity is surely mid-call when the worker is told to stop.
      const transferArrived = barrier();
      const release = barrier();
      proxy = await startFaultProxy({
        target: peer.outboundUrl,
        policy: (call) => {
          if (call.step !== 'transfer') return { kind: 'forward' };
          transferArrived.open();
          return { kind: 'forwardThenHoldUntil', release: release.promise };
        },
      });
      const worker = startProcess('src/worker/main.ts', {
        TEMPORAL_TASK_QUEUE: taskQueue,
        SCHEME_ADAPTER_URL: proxy.url,
        WORKER_METRICS_PORT: '0',
        TEMPORAL_METRICS_BIND_ADDRESS: '',
      });
      running.push(worker.child);
      await logged(worker, 'worker started');

      const payer = await createPayerAccount(db(), 1_000_000n);
      const bulk = await insertBulk(db(), payer, [{ msisdn: '22997123499', amount: 45000n }]);
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);

      const stopping = (line: LogLine) => (line.temporal as { state?: string } | undefined)?.state === 'STOPPING';
      try {
        await transferArrived.promise;
        worker.child.kill('SIGTERM');
        await logged(worker, 'Worker state changed', stopping);
        // Stopping, not stopped: the process waits for the activity, whose answer is still held.
        expect(worker.child.exitCode).toBeNull();
        expect(indexOf(worker, 'worker stopped')).toBe(-1);
        expect(indexOf(worker, 'transfer confirmed')).toBe(-1);
        const held = await db()('individual_transfers')
          .where('transfer_id', bulk.transferIds[0])
          .first('status', 'transfer_sent_at');
        expect(held.status).toBe('PROCESSING');
        expect(held.transfer_sent_at).not.toBeNull();
      } finally {
        release.open();
      }

      const { code } = await worker.exited;
      expect(code).toBe(0);
      // In that order: told to stop, the activity ran to its end (the line settled by the worker that was stopping),
      // then the process stopped.
      const toldToStop = indexOf(worker, 'Worker state changed', stopping);
      const confirmed = indexOf(worker, 'transfer confirmed');
      const stopped = indexOf(worker, 'worker stopped');
      expect(toldToStop).toBeGreaterThanOrEqual(0);
      expect(confirmed).toBeGreaterThan(toldToStop);
      expect(stopped).toBeGreaterThan(confirmed);
      const line = await db()('individual_transfers')
        .where('transfer_id', bulk.transferIds[0])
        .first('status', 'transfer_sent_at');
      expect(line.status).toBe('COMPLETED');
      expect(line.transfer_sent_at).not.toBeNull();
      expect(
        proxy.log
          .filter((call) => call.step === 'transfer')
          .map((call) => [call.adapterStatus !== null, call.answered]),
      ).toEqual([[true, true]]);

      // Nobody polls this queue any more: end the workflows left open.
      for (const id of [workflowIdForLine(bulk.bulkId, 1), workflowIdForBulk(bulk.bulkId)]) {
        await temporal.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined);
      }
    });
  });
});
