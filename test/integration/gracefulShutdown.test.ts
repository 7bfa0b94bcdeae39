/**
 * SIGTERM to the real processes (`src/api/server.ts`, `src/worker/main.ts`, started as child processes the way a
 * container runtime runs them): the API stops accepting connections at once but answers the request it is in the
 * middle of, then exits 0; the worker stops polling but lets the activity it is running finish (here the money-
 * moving confirmTransfer, held by a proxy in front of the real adapter), then exits 0.
 */
import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { closeDb, db } from '../../src/db/knex';
import { startBulkPayout } from '../../src/payouts/bulkPayoutClient';
import { workflowIdForBulk, workflowIdForLine } from '../../src/payouts/types';
import { freePort } from '../../temporal/devServer';
import { createBulkTestApp, createFund, CSV_HEADER } from '../support/bulkFixtures';
import { FaultProxy, startFaultProxy } from '../support/faultProxy';
import {
  connectTemporal,
  createPayerAccount,
  insertBulk,
  RunningPeer,
  TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  waitFor,
} from '../support/payoutHarness';

const ROOT = path.resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  /** Every pino line the process printed so far (parsed). */
  lines: Array<{ msg: string }>;
  exited: Promise<{ code: number | null; at: number }>;
}

/** Runs an entry point as its own process with the test services' environment plus `env`. */
function startProcess(entry: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<{ msg: string }> = [];
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete) {
      try {
        lines.push(JSON.parse(text) as { msg: string });
      } catch {
        // Not a log line (tsx or the SDK printing): not ours to check.
      }
    }
  });
  child.stderr!.resume();
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  return { child, lines, exited };
}

function logged(started: Started, message: string): Promise<true> {
  return waitFor(async () => started.lines.some((line) => line.msg === message) || null, 90_000, 50);
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
    const api = startProcess('src/api/server.ts', { PORT: String(port), HOST: '127.0.0.1', TEMPORAL_TASK_QUEUE: taskQueue });
    running.push(api.child);
    await waitFor(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false), 60_000, 200);

    // A multipart upload whose body arrives in two parts: SIGTERM lands between them, mid-request.
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
          },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      request.write(head);
      // Give the server time to route the request (it is now in flight), then signal, then finish the body.
      setTimeout(() => {
        api.child.kill('SIGTERM');
        logged(api, 'API shutting down')
          .then(async () => {
            // Stopped listening: a new connection is refused while the upload is still open.
            await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
            expect(api.child.exitCode).toBeNull();
            request.end(tail);
          })
          .catch(reject);
      }, 300);
    });

    const { status, body } = await answer;
    expect(status).toBe(202);
    const bulkId = (JSON.parse(body) as { bulkTransferId: string }).bulkTransferId;
    const bulk = await db()('bulk_transfers').where('bulk_id', bulkId).first('transfers_count', 'total_amount');
    expect(bulk).toEqual({ transfers_count: 2, total_amount: '4000' });

    const { code } = await api.exited;
    expect(code).toBe(0);
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
      const holdMs = 3000;
      let signalledAt = 0;
      let worker: Started | null = null;
      // The real adapter confirms the transfer; its answer reaches the worker `holdMs` later. SIGTERM is sent as
      // the confirmation arrives at the proxy, so the activity is mid-call when the worker is told to stop.
      proxy = await startFaultProxy({
        target: peer.outboundUrl,
        policy: (call) => {
          if (call.step !== 'transfer') return { kind: 'forward' };
          signalledAt = Date.now();
          worker!.child.kill('SIGTERM');
          return { kind: 'forwardThenDelay', delayMs: holdMs };
        },
      });
      worker = startProcess('src/worker/main.ts', {
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

      const { code, at } = await worker.exited;
      expect(signalledAt).toBeGreaterThan(0);
      expect(code).toBe(0);
      // It waited for the held answer instead of dropping the activity...
      expect(at - signalledAt).toBeGreaterThanOrEqual(holdMs - 100);
      expect(worker.lines.some((line) => line.msg === 'worker stopped')).toBe(true);
      // ...and the activity ran to its end: the line is settled in the database, by the worker that was stopping.
      const line = await db()('individual_transfers').where('transfer_id', bulk.transferIds[0]).first('status', 'transfer_sent_at');
      expect(line.status).toBe('COMPLETED');
      expect(line.transfer_sent_at).not.toBeNull();

      // Nobody polls this queue any more: end the workflows left open.
      for (const id of [workflowIdForLine(bulk.bulkId, 1), workflowIdForBulk(bulk.bulkId)]) {
        await temporal.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
      }
    });
  });
});
