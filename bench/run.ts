/**
 * `npm run bench`: the figures, measured side by side in one run on this machine, printed as tables.
 *   1. Upload + validation time for 1,000 and 10,000 lines (median of BENCH_REPEAT runs).
 *   2. Payout throughput end to end (API -> Temporal -> adapter), against the real Mojaloop peer and against a
 *      near-zero-cost stand-in of the adapter (bench/standInAdapter.ts), each next to that target's own rate
 *      called directly at the same concurrency: the ratio is the figure.
 *   3. A 100,000-line upload: its time against COPY of the same rows into a scratch table, and the API's peak
 *      memory (VmHWM of the API process).
 *   4. Read latency while a bulk pays: p50/p99 of GET /status and GET /details, sampled by a client of their own
 *      (bench/readSampler.ts, a separate process) while a BENCH_LATENCY_LINES-line bulk pays against the stand-in
 *      (during that size's first throughput run when it is one of BENCH_SIZES, else in a run of its own).
 *   5. Temporal's own cost per line (bench/temporalFloor.ts): BENCH_FLOOR_LINES lines (default 1,000, 0 to skip)
 *      through workflows per line with nothing in them, on the same server: the most a workflow per line allows here.
 * Everything runs here: its own database, a Temporal dev server, the API and the worker as separate processes.
 * BENCH_SIZES (default "1000,10000"; "100000" with BENCH_TARGETS=standin pays 100,000 lines), BENCH_TARGETS
 * (default "standin,peer"), BENCH_REPEAT (default 3, runs of each size below 10,000), BENCH_BIG_UPLOAD (lines of
 * part 3, 0 to skip), BENCH_LATENCY_LINES (default 10000, 0 to skip), BENCH_SAMPLE_MS (default 75),
 * BENCH_NODE_ARGS (extra node flags for the API and worker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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
import { measureTemporalFloor } from './temporalFloor';

const ROOT = path.resolve(__dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const TARGETS = (process.env.BENCH_TARGETS ?? 'standin,peer').split(',');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const BIG_UPLOAD_LINES = Number(process.env.BENCH_BIG_UPLOAD ?? 100_000);
const LATENCY_LINES = Number(process.env.BENCH_LATENCY_LINES ?? 10_000);
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 75);
const FLOOR_LINES = Number(process.env.BENCH_FLOOR_LINES ?? 1000);
const FLOOR_SHAPES = {
  emptyLineWorkflow: 'empty: only reports to the bulk',
  skeletonLineWorkflow: "a line's Temporal steps, activities doing nothing",
} as const;
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const DEMO_PASSWORD = 'bench-password-0123456789';
/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

interface Services {
  databaseUrl: string;
  temporalAddress: string;
  temporalPid: number;
  taskQueue: string;
  stopAll: Array<() => Promise<void>>;
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'pension-gateway-bench-'));
  const services = await startServices(scratch);
  const rows: string[][] = [];
  const throughput: string[][] = [];
  const latency: string[][] = [];
  const cpuRows: string[][] = [];
  // Other engineers' test runs share this machine's cores: the load beside the figures says how far to trust them.
  const loadAtStart = os.loadavg();
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
        const pids = { worker: worker.pid!, api: api.process.pid!, temporal: services.temporalPid };
        for (const size of SIZES) {
          const runs: Array<{ uploadMs: number; payoutSeconds: number }> = [];
          const repeats = size >= 10_000 ? 1 : REPEAT;
          const cpuBefore = cpuSeconds(pids);
          for (let run = 0; run < repeats; run += 1) {
            // Read latency is sampled during this run itself (its throughput then includes the sampler's reads).
            if (target === 'standin' && size === LATENCY_LINES && run === 0) {
              const { paid, rows } = await payWhileSampling(api.url, token, size, run);
              latency.push(...rows);
              // Printed at once as well, so a long run stopped later still leaves this part's figures.
              printTable('  read latency so far', ['endpoint', 'samples', 'p50', 'p99', 'max', 'errors'], rows);
              runs.push(paid);
            } else {
              runs.push(await uploadAndPay(api.url, token, size, target, run));
            }
          }
          const cpuAfter = cpuSeconds(pids);
          const payoutSeconds = median(runs.map((r) => r.payoutSeconds));
          const linesPaid = size * repeats;
          // Where the CPU went, per 1,000 lines (upload included): the same whatever else the machine runs,
          // unlike the wall-clock rate, so it says which of our processes to work on.
          cpuRows.push([
            target,
            String(size),
            ...(['worker', 'temporal', 'postgres', 'api'] as const).map((name) => perThousandLines(cpuAfter[name] - cpuBefore[name], linesPaid)),
          ]);
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
          console.log(`  ${target} ${size} lines: ${ours.toFixed(1)} transfers/s vs direct ${direct.perSecond.toFixed(1)}/s; CPU s per 1,000 lines ${cpuRows.at(-1)!.slice(2).join(' / ')} (worker / Temporal / Postgres / API)`);
        }
        if (target === 'standin' && LATENCY_LINES > 0 && !SIZES.includes(LATENCY_LINES)) {
          latency.push(...(await payWhileSampling(api.url, token, LATENCY_LINES, 0)).rows);
        }
      } finally {
        await stopChild(worker);
      }
    }
    for (const [size, times] of uploadTimes) rows.push([String(size), `${median(times).toFixed(0)} ms`, String(times.length)]);

    const floor = FLOOR_LINES > 0 ? await measureTemporalFloor(services.temporalAddress, FLOOR_LINES, CONCURRENCY, () => ticks(services.temporalPid) / USER_HZ) : [];
    const big = BIG_UPLOAD_LINES > 0 ? await bigUpload(api, token, services, scratch) : null;
    await stopChild(api.process);

    const loadAtEnd = os.loadavg();
    console.log(
      `\nMachine: ${os.cpus().length} cores, load average (1/5/15 min) ${loadAtStart.map((l) => l.toFixed(2)).join('/')} at start, ` +
        `${loadAtEnd.map((l) => l.toFixed(2)).join('/')} at end`,
    );
    printTable('Upload + validation (202 answered)', ['lines', 'median', 'runs'], rows);
    printTable(`Payout throughput, concurrency ${CONCURRENCY}`, ['target', 'lines', 'upload->done', 'ours', 'direct', 'ratio'], throughput);
    printTable('CPU seconds per 1,000 lines paid (upload included)', ['target', 'lines', 'worker', 'Temporal server', 'Postgres (bench db)', 'API'], cpuRows);
    if (latency.length > 0) {
      printTable(`Read latency while ${LATENCY_LINES.toLocaleString('en')} lines pay (stand-in), one request every ${SAMPLE_MS} ms`, [
        'endpoint', 'samples', 'p50', 'p99', 'max', 'errors',
      ], latency);
    }
    if (floor.length > 0) {
      printTable(`Temporal's own cost: ${FLOOR_LINES.toLocaleString('en')} lines of workflows with nothing in them, concurrency ${CONCURRENCY}`, [
        'line workflow', 'lines/s', 'Temporal server CPU s per 1,000 lines',
      ], floor.map((rate) => [FLOOR_SHAPES[rate.shape], `${rate.perSecond.toFixed(1)}/s`, rate.serverCpuPer1000.toFixed(2)]));
    }
    if (big) {
      printTable(`${BIG_UPLOAD_LINES.toLocaleString('en')}-line upload`, ['measure', 'value'], [
        ['upload (validate + store + reserve)', `${big.uploadMs.toFixed(0)} ms`],
        ['COPY of the same rows', `${big.copyMs.toFixed(0)} ms`],
        ['ratio upload / COPY', (big.uploadMs / big.copyMs).toFixed(1)],
        ['API peak memory (VmHWM, whole run)', `${(big.peakKb / 1024).toFixed(0)} MB`],
        ['API memory before upload (VmHWM)', `${(big.beforeKb / 1024).toFixed(0)} MB`],
      ]);
    }
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
    temporalPid: temporal.process.pid!,
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
  return spawn(process.execPath, [...NODE_ARGS, '--import', 'tsx', path.join(ROOT, entry)], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
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

async function uploadAndPay(apiUrl: string, token: string, size: number, target: string, run: number, whilePaying?: (bulkId: string) => void) {
  const { bulkId, ms } = await upload(apiUrl, token, csvOf(size));
  const started = process.hrtime.bigint();
  whilePaying?.(bulkId);
  for (;;) {
    const response = await fetch(`${apiUrl}/api/bulk-transfers/${bulkId}/status?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    const status = (await response.json()) as { state: string; completed: number; failed: number };
    if (status.state === 'COMPLETED' || status.state === 'FAILED') {
      if (status.completed !== size) console.warn(`  ${target} run ${run}: ${status.completed}/${size} completed, ${status.failed} failed`);
      break;
    }
    // Often enough that a 1,000-line run's time is not rounded up by much; cheap (one query to the workflow).
    await sleep(200);
  }
  return { uploadMs: ms, payoutSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

interface ReadSampler {
  /** Tells the sampler the bulk has ended; resolves to its table rows. */
  stop(): Promise<string[][]>;
}

/**
 * Part 4: bench/readSampler.ts, a process of its own (so its timings are not disturbed by this one's polling),
 * reads /status and /details of the bulk by turns every SAMPLE_MS until stopped.
 */
function startReadSampler(apiUrl: string, token: string, bulkId: string): ReadSampler {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/readSampler.ts')], {
    cwd: ROOT,
    env: { ...process.env, SAMPLER_API_URL: apiUrl, SAMPLER_TOKEN: token, SAMPLER_BULK_ID: bulkId, SAMPLER_EVERY_MS: String(SAMPLE_MS) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const report = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`read sampler exited with ${code}`))));
  });
  return {
    async stop() {
      // Closing its stdin tells the sampler to stop; it prints its samples' summary as JSON and exits.
      child.stdin.end();
      const summary = JSON.parse(await report) as Record<string, { samples: number; p50: number; p99: number; max: number; errors: number }>;
      return Object.entries(summary).map(([endpoint, r]) => [
        endpoint,
        String(r.samples),
        `${r.p50.toFixed(1)} ms`,
        `${r.p99.toFixed(1)} ms`,
        `${r.max.toFixed(1)} ms`,
        String(r.errors),
      ]);
    },
  };
}

/** Pays one bulk with the read sampler running beside it; returns the payout's figures and the sampler's rows. */
async function payWhileSampling(apiUrl: string, token: string, size: number, run: number) {
  let sampler: ReadSampler | null = null;
  const paid = await uploadAndPay(apiUrl, token, size, 'standin', run, (bulkId) => {
    sampler = startReadSampler(apiUrl, token, bulkId);
  });
  const rows = await (sampler as ReadSampler | null)!.stop();
  return { paid, rows };
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

/** CPU seconds per 1,000 lines; n/a when negative (Postgres backends counted at the start had exited since). */
function perThousandLines(seconds: number, lines: number): string {
  return seconds < 0 ? 'n/a' : ((seconds * 1000) / lines).toFixed(2);
}

/** CPU ticks (user + system) a process has used, 0 if it is gone. */
function ticks(pid: number): number {
  try {
    // Fields after the command name (which is in parentheses and may hold spaces): utime is 14th, stime 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // gone since listed
  }
}

/** CPU time (user + system) used so far by our processes, and by the Postgres backends serving the bench database. */
function cpuSeconds(pids: { worker: number; api: number; temporal: number }): Record<'worker' | 'api' | 'temporal' | 'postgres', number> {
  let postgres = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('pension_gateway_bench')) postgres += ticks(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return { worker: ticks(pids.worker) / USER_HZ, api: ticks(pids.api) / USER_HZ, temporal: ticks(pids.temporal) / USER_HZ, postgres: postgres / USER_HZ };
}

function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const at = (index: number): number => sorted[index] ?? Number.NaN;
  return sorted.length % 2 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
}

function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => '| ' + cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
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
