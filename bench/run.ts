/**
 * `npm run bench`: the figures, measured side by side in one run on this machine, printed as tables.
 *   1. Upload + validation time for 1,000 and 10,000 lines (median of BENCH_REPEAT runs).
 *   2. Payout throughput end to end (API -> Temporal -> adapter), against the real Mojaloop peer and against a
 *      near-zero-cost stand-in of the adapter (bench/standInAdapter.ts), each next to that target's own rate
 *      called directly at the same concurrency: the ratio is the figure.
 *   3. A 100,000-line upload: its time against COPY of the same rows into a scratch table, and the API's peak
 *      memory (VmHWM of the API process).
 * Everything runs here: its own database, a Temporal dev server, the API and the worker as separate processes.
 * BENCH_SIZES (default "1000,10000"), BENCH_TARGETS (default "standin,peer"), BENCH_REPEAT (default 3).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import knexFactory from 'knex';
import { from as copyFrom } from 'pg-copy-streams';
import { Client as PgClient } from 'pg';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { SchemeAdapterClient } from '../src/clients/schemeAdapterClient';
import { dropDatabase } from '../src/db/ensureDatabase';
import { knexConfig } from '../src/db/knex';
import { migrateToLatest } from '../src/db/migrate';
import { startMojaloopPeer } from '../mojaloop/peer';
import { freePort, isPortOpen, startTemporalDevServer, stopChild } from '../temporal/devServer';
import { measurePeerDirectRate } from './peerDirectRate';
import { startStandInAdapter } from './standInAdapter';

const ROOT = path.resolve(__dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const TARGETS = (process.env.BENCH_TARGETS ?? 'standin,peer').split(',');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const BIG_UPLOAD_LINES = Number(process.env.BENCH_BIG_UPLOAD ?? 100_000);
const DEMO_PASSWORD = 'bench-password-0123456789';

interface Services {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  stopAll: Array<() => Promise<void>>;
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'pension-gateway-bench-'));
  const services = await startServices(scratch);
  const rows: string[][] = [];
  const throughput: string[][] = [];
  try {
    const api = await startApi(services);
    const token = await login(api.url);

    const uploadTimes = new Map<number, number[]>();
    for (const target of TARGETS) {
      const adapterUrl = await targetUrl(target, scratch, services);
      const worker = startNodeProcess('src/worker/main.ts', serviceEnv(services, { SCHEME_ADAPTER_URL: adapterUrl }));
      try {
        // A small bulk first, so worker start-up (bundling the workflows) is not counted in the figures.
        await uploadAndPay(api.url, token, 10, target, -1);
        for (const size of SIZES) {
          const runs: Array<{ uploadMs: number; payoutSeconds: number }> = [];
          const repeats = size >= 10_000 ? 1 : REPEAT;
          for (let run = 0; run < repeats; run += 1) runs.push(await uploadAndPay(api.url, token, size, target, run));
          const payoutSeconds = median(runs.map((r) => r.payoutSeconds));
          uploadTimes.set(size, [...(uploadTimes.get(size) ?? []), ...runs.map((r) => r.uploadMs)]);
          const direct = await directRate(adapterUrl, Math.min(size, 1000), target);
          const ours = size / payoutSeconds;
          throughput.push([
            target,
            String(size),
            `${payoutSeconds.toFixed(1)} s`,
            `${ours.toFixed(1)}/s`,
            `${direct.perSecond.toFixed(1)}/s`,
            (ours / direct.perSecond).toFixed(2),
          ]);
          console.log(`  ${target} ${size} lines: ${ours.toFixed(1)} transfers/s vs direct ${direct.perSecond.toFixed(1)}/s`);
        }
      } finally {
        await stopChild(worker);
      }
    }
    for (const [size, times] of uploadTimes) rows.push([String(size), `${median(times).toFixed(0)} ms`, String(times.length)]);

    const big = await bigUpload(api, token, services, scratch);
    await stopChild(api.process);

    printTable('Upload + validation (202 answered)', ['lines', 'median', 'runs'], rows);
    printTable(`Payout throughput, concurrency ${CONCURRENCY}`, ['target', 'lines', 'upload->done', 'ours', 'direct', 'ratio'], throughput);
    printTable(`${BIG_UPLOAD_LINES.toLocaleString('en')}-line upload`, ['measure', 'value'], [
      ['upload (validate + store + reserve)', `${big.uploadMs.toFixed(0)} ms`],
      ['COPY of the same rows', `${big.copyMs.toFixed(0)} ms`],
      ['ratio upload / COPY', (big.uploadMs / big.copyMs).toFixed(1)],
      ['API peak memory (VmHWM)', `${(big.peakKb / 1024).toFixed(0)} MB`],
      ['API memory before upload', `${(big.beforeKb / 1024).toFixed(0)} MB`],
    ]);
  } finally {
    for (const stop of services.stopAll.reverse()) await stop().catch(() => undefined);
  }
}

async function startServices(scratch: string): Promise<Services> {
  const databaseUrl = `${process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432'}/pension_gateway_bench`;
  await dropDatabase(databaseUrl);
  await migrateToLatest(databaseUrl);
  const temporal = await startTemporalDevServer({ port: await freePort(), logFile: path.join(scratch, 'temporal.log') });
  return {
    databaseUrl,
    temporalAddress: temporal.address,
    taskQueue: 'pension-payouts-bench',
    stopAll: [() => dropDatabase(databaseUrl), temporal.stop],
  };
}

async function targetUrl(target: string, scratch: string, services: Services): Promise<string> {
  if (target === 'standin') {
    const standIn = await startStandInAdapter();
    services.stopAll.push(standIn.close);
    return standIn.url;
  }
  if (await isPortOpen(4001)) return 'http://127.0.0.1:4001';
  const peer = await startMojaloopPeer({ runtimeDir: path.join(scratch, 'mojaloop'), dfspId: 'cnssbenin' });
  services.stopAll.push(peer.stop);
  return peer.outboundUrl;
}

function serviceEnv(services: Services, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: services.databaseUrl,
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_TASK_QUEUE: services.taskQueue,
    SECRET_KEY: 'bench-secret-key-bench-secret-key-0123',
    BULK_PAYOUT_CONCURRENCY: String(CONCURRENCY),
    BULK_MAX_BYTES: String(50 * 1024 * 1024),
    LOGIN_RATE_LIMIT_MAX: '1000',
    WORKER_METRICS_PORT: '0',
    TEMPORAL_METRICS_BIND_ADDRESS: '',
    ...extra,
  };
}

async function startApi(services: Services): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const env = serviceEnv(services, { PORT: String(port), HOST: '127.0.0.1' });
  const { seedDemoData } = await import('../src/db/demoData');
  const seedEnv = { ...process.env, DATABASE_URL: services.databaseUrl };
  Object.assign(process.env, seedEnv);
  await seedDemoData({ demoPassword: DEMO_PASSWORD });
  const child = startNodeProcess('src/api/server.ts', env);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, process: child };
    await sleep(250);
  }
  throw new Error('API did not start');
}

function startNodeProcess(entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
}

async function login(apiUrl: string): Promise<string> {
  const response = await fetch(`${apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'gestionnaire@cnss.bj', password: DEMO_PASSWORD }),
  });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access: string }).access;
}

let payeeSequence = 0;

function csvOf(lines: number): string {
  const rows = ['type_id,valeur_id,devise,montant'];
  for (let i = 0; i < lines; i += 1) {
    payeeSequence += 1;
    rows.push(`MSISDN,2298${String(payeeSequence).padStart(7, '0')},XOF,45000`);
  }
  return rows.join('\n') + '\n';
}

async function upload(apiUrl: string, token: string, csv: string): Promise<{ bulkId: string; ms: number }> {
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'bench.csv');
  const started = process.hrtime.bigint();
  const response = await fetch(`${apiUrl}/api/bulk-transfers?allow_duplicate=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const body = (await response.json()) as { bulkTransferId?: string };
  if (response.status !== 202 || !body.bulkTransferId) throw new Error(`upload failed: ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
  return { bulkId: body.bulkTransferId, ms };
}

async function uploadAndPay(apiUrl: string, token: string, size: number, target: string, run: number) {
  const { bulkId, ms } = await upload(apiUrl, token, csvOf(size));
  const started = process.hrtime.bigint();
  for (;;) {
    const response = await fetch(`${apiUrl}/api/bulk-transfers/${bulkId}/status?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    const status = (await response.json()) as { state: string; completed: number; failed: number };
    if (status.state === 'COMPLETED' || status.state === 'FAILED') {
      if (status.completed !== size) console.warn(`  ${target} run ${run}: ${status.completed}/${size} completed, ${status.failed} failed`);
      break;
    }
    await sleep(500);
  }
  return { uploadMs: ms, payoutSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function directRate(adapterUrl: string, count: number, target: string) {
  const client = new SchemeAdapterClient({ baseUrl: adapterUrl, timeoutMs: 60_000 });
  try {
    let sequence = 0;
    return await measurePeerDirectRate(client, {
      count,
      concurrency: CONCURRENCY,
      payeeFor: () => `2297${target === 'peer' ? '1' : '2'}${String((sequence += 1)).padStart(6, '0')}`,
    });
  } finally {
    await client.close();
  }
}

async function bigUpload(api: { url: string; process: ChildProcess }, token: string, services: Services, scratch: string) {
  const csv = csvOf(BIG_UPLOAD_LINES);
  const beforeKb = peakRssKb(api.process.pid!);
  const { bulkId, ms } = await upload(api.url, token, csv);
  const peakKb = peakRssKb(api.process.pid!);
  // No worker polls now, so nothing of it is paid; stop its workflow and leave the rows for COPY's comparison.
  const connection = await Connection.connect({ address: services.temporalAddress });
  await new TemporalClient({ connection }).workflow.getHandle(`bulk-${bulkId}`).terminate('benchmark upload only').catch(() => undefined);
  await connection.close();
  const copyMs = await copyRows(services.databaseUrl, csv);
  void scratch;
  return { uploadMs: ms, copyMs, peakKb, beforeKb };
}

/** COPY of the same lines into a scratch table with the transfers' columns: the floor for storing them. */
async function copyRows(databaseUrl: string, csv: string): Promise<number> {
  const knex = knexFactory(knexConfig(databaseUrl, 1));
  await knex.raw(`create table if not exists bench_copy (transfer_id uuid default gen_random_uuid(), line_number serial,
    payee_party_id_type text, payee_party_identifier text, currency char(3), amount bigint)`);
  await knex.destroy();
  const client = new PgClient({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = process.hrtime.bigint();
    const copy = client.query(
      copyFrom('copy bench_copy (payee_party_id_type, payee_party_identifier, currency, amount) from stdin with (format csv, header true)'),
    );
    await pipeline(Readable.from([csv]), copy);
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    await client.end();
  }
}

function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => '| ' + cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ') + ' |';
  console.log(`\n${title}`);
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  rows.forEach((row) => console.log(line(row)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
