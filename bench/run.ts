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
 *   6. What a line costs Temporal, read from the real histories of each stand-in bulk and of the floors
 *      (bench/temporalCost.ts): events, workflow tasks, upserts, signals per line, the bulk's runs, the longest
 *      histories and the slowest bulk workflow task; and each bulk's rate in its first, middle and last tenth.
 *   7. With BENCH_COMPARE_DIR (another checkout, e.g. a worktree of the commit before a change): 1,000 lines paid by
 *      that checkout's worker and this one's by turns (BENCH_AB_ROUNDS rounds), and the other's histories replayed
 *      on this tree's workflows.
 * The last table is issue 13's: each figure beside its goal.
 * Everything runs here: its own database, a Temporal dev server, the API and the worker as separate processes.
 * BENCH_SIZES (default "1000,10000"; "100000" with BENCH_TARGETS=standin pays 100,000 lines), BENCH_TARGETS
 * (default "standin,peer"), BENCH_REPEAT (default 3, runs of each size below 10,000), BENCH_BIG_UPLOAD (lines of
 * part 3, 0 to skip), BENCH_LATENCY_LINES (default 10000, 0 to skip), BENCH_SAMPLE_MS (default 75),
 * BENCH_NODE_ARGS (extra node flags for the API and worker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"),
 * BENCH_QUIET_SAMPLE_MS (20000: the reads sampled again once the bulk has ended), BENCH_DATABASE (its database's name).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import knexFactory from 'knex';
import { from as copyFrom } from 'pg-copy-streams';
import { Client as PgClient } from 'pg';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { SchemeAdapterClient } from '../src/payouts/schemeAdapterClient';
import { dropDatabase } from '../src/db/ensureDatabase';
import { knexConfig } from '../src/db/knex';
import { migrateToLatest } from '../src/db/migrate';
import { startMojaloopPeer } from '../mojaloop/peer';
import { freePort, isPortOpen, startTemporalDevServer, stopChild } from '../temporal/devServer';
import { measurePeerDirectRate } from './peerDirectRate';
import { startStandInAdapter } from './standInAdapter';
import { uuidV7 } from '../src/domain/ids';
import { type HistoryFigures, measureTemporalCost, sampleLineNumbers, type TemporalCost } from './temporalCost';
import { type FloorRate, measureTemporalFloor } from './temporalFloor';
import { workflowIdForBulk, workflowIdForLine } from '../src/payouts/contract';

const ROOT = path.resolve(__dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const TARGETS = (process.env.BENCH_TARGETS ?? 'standin,peer').split(',').filter(Boolean);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const BIG_UPLOAD_LINES = Number(process.env.BENCH_BIG_UPLOAD ?? 100_000);
const LATENCY_LINES = Number(process.env.BENCH_LATENCY_LINES ?? 10_000);
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 75);
const FLOOR_LINES = Number(process.env.BENCH_FLOOR_LINES ?? 1000);
const FLOOR_SHAPES = {
  emptyLineWorkflow: 'empty, awaited by its bulk',
  skeletonLineWorkflow: "a line's Temporal steps, activities doing nothing",
} as const;
const COMPARE_DIR = process.env.BENCH_COMPARE_DIR ? path.resolve(process.env.BENCH_COMPARE_DIR) : null;
const AB_ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? 2);
/** How long the reads are sampled again once the bulk has ended: the same queries on an otherwise quiet machine. */
const QUIET_SAMPLE_MS = Number(process.env.BENCH_QUIET_SAMPLE_MS ?? 20_000);
/** Its own database (dropped and made again at each run); another name lets two benches run side by side. */
const DATABASE_NAME = process.env.BENCH_DATABASE ?? 'pension_gateway_bench';
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
  for (const root of COMPARE_DIR ? [ROOT, COMPARE_DIR] : [ROOT]) buildForBench(root);
  const services = await startServices(scratch);
  const report = new Report();
  // Other engineers' test runs share this machine's cores: the load beside the figures says how far to trust them.
  const loadAtStart = os.loadavg();
  const connection = await Connection.connect({ address: services.temporalAddress });
  const temporalClient = new TemporalClient({ connection });
  try {
    const api = await startApi(services);
    const token = await login(api.url);
    const bench: BenchClient = { apiUrl: api.url, token, temporal: temporalClient };
    const peaks = new PeakMemory();

    for (const target of TARGETS) {
      const adapterUrl = await targetUrl(target, scratch, services);
      const worker = startNodeProcess('src/worker/main.ts', serviceEnv(services, { SCHEME_ADAPTER_URL: adapterUrl }));
      try {
        // A small bulk first, so worker start-up (bundling the workflows) is not counted in the figures.
        await uploadAndPay(bench, 10, target, -1);
        const pids = { worker: worker.pid!, api: api.process.pid!, temporal: services.temporalPid };
        for (const size of SIZES) {
          const runs: Paid[] = [];
          const repeats = size >= 10_000 ? 1 : REPEAT;
          const cpuBefore = cpuSeconds(pids);
          for (let run = 0; run < repeats; run += 1) {
            // Read latency is sampled during this run itself (its throughput then includes the sampler's reads).
            if (target === 'standin' && size === LATENCY_LINES && run === 0) {
              const { paid, rows } = await payWhileSampling(bench, size, run);
              report.latency.push(...rows);
              // Printed at once as well, so a long run stopped later still leaves this part's figures.
              printTable('  read latency so far', LATENCY_HEADER, rows);
              runs.push(paid);
              report.latency.push(...(await sampleReadsAlone(api.url, token, paid.bulkId)));
            } else {
              runs.push(await uploadAndPay(bench, size, target, run));
            }
            peaks.read({ worker: pids.worker, api: pids.api, 'Temporal server': pids.temporal });
          }
          const cpuAfter = cpuSeconds(pids);
          const cpu = cpuPerThousand(cpuBefore, cpuAfter, size * repeats);
          report.addRun(target, size, runs, cpu, await directRate(adapterUrl, Math.min(size, 1000), target));
          if (target === 'standin') {
            const first = runs[0]!;
            const cost = await measureTemporalCost(
              temporalClient,
              workflowIdForBulk(first.bulkId),
              linesOf(first.bulkId, size),
              size,
            );
            report.costs.push({ label: `our line (${size.toLocaleString('en')} lines)`, cost });
            report.overTime.push([String(size), ...(await rateOverTime(services.databaseUrl, first))]);
          }
        }
        if (target === 'standin' && LATENCY_LINES > 0 && !SIZES.includes(LATENCY_LINES)) {
          const { paid, rows } = await payWhileSampling(bench, LATENCY_LINES, 0);
          report.latency.push(...rows, ...(await sampleReadsAlone(api.url, token, paid.bulkId)));
        }
      } finally {
        await stopChild(worker);
      }
    }
    if (COMPARE_DIR) report.ab = await compareWorkers(api, token, services, temporalClient);

    if (FLOOR_LINES > 0) {
      const floor = await measureTemporalFloor(
        services.temporalAddress,
        FLOOR_LINES,
        CONCURRENCY,
        () => ticks(services.temporalPid) / USER_HZ,
      );
      report.floor = floor;
      for (const rate of floor) {
        const lineIds = sampleLineNumbers(FLOOR_LINES, COST_SAMPLE).map((n) => `${rate.workflowId}-line-${n}`);
        report.costs.push({
          label: `floor: ${FLOOR_SHAPES[rate.shape]}`,
          cost: await measureTemporalCost(temporalClient, rate.workflowId, lineIds, FLOOR_LINES),
        });
      }
    }
    peaks.read({ worker: 0, api: api.process.pid!, 'Temporal server': services.temporalPid });
    await stopChild(api.process);
    const big = BIG_UPLOAD_LINES > 0 ? await bigUpload(services, temporalClient) : null;

    const loadAtEnd = os.loadavg();
    console.log(
      `\nMachine: ${os.cpus().length} cores, load average (1/5/15 min) ${loadAtStart.map((l) => l.toFixed(2)).join('/')} at start, ` +
        `${loadAtEnd.map((l) => l.toFixed(2)).join('/')} at end; ${new Date().toISOString()}`,
    );
    report.print(big, peaks);
  } finally {
    await connection.close();
    for (const stop of services.stopAll.reverse()) await stop().catch(() => undefined);
  }
}

type Paid = Awaited<ReturnType<typeof uploadAndPay>>;
type CpuPerThousand = Record<'worker' | 'temporal' | 'postgres' | 'api', number>;
const LATENCY_HEADER = ['endpoint', 'while', 'samples', 'p50', 'p99', 'max', 'errors'];
/** Lines whose histories are read per bulk: all of a bulk up to this size, an even sample of a larger one. */
const COST_SAMPLE = 1000;
/** Before this change set (issue 13's measure): the goal halves it. */
const WORKER_CPU_BEFORE = 17.0;

/** The line workflows of an uploaded bulk: its line numbers are the file's physical lines, the header being line 1. */
function linesOf(bulkId: string, size: number): string[] {
  return sampleLineNumbers(size, COST_SAMPLE).map((n) => workflowIdForLine(bulkId, n + 1));
}

function cpuPerThousand(before: CpuPerThousand, after: CpuPerThousand, lines: number): CpuPerThousand {
  const per = (name: keyof CpuPerThousand) => ((after[name] - before[name]) * 1000) / lines;
  return { worker: per('worker'), temporal: per('temporal'), postgres: per('postgres'), api: per('api') };
}

/** VmHWM of each process, the highest read over the run (a process gone keeps its last reading). */
class PeakMemory {
  readonly kb = new Map<string, number>();

  read(pids: Record<string, number>): void {
    for (const [name, pid] of Object.entries(pids)) {
      if (pid > 0) this.kb.set(name, Math.max(this.kb.get(name) ?? 0, peakRssKb(pid)));
    }
  }
}

/** Everything measured, printed as tables at the end, then the issue's table: each figure beside its goal. */
class Report {
  readonly uploadTimes = new Map<number, number[]>();
  readonly throughput: string[][] = [];
  readonly cpuRows: string[][] = [];
  readonly latency: string[][] = [];
  readonly overTime: string[][] = [];
  readonly costs: Array<{ label: string; cost: TemporalCost }> = [];
  readonly rates = new Map<string, { perSecond: number; seconds: number; cpu: CpuPerThousand }>();
  floor: FloorRate[] = [];
  ab: string[][] | null = null;

  addRun(target: string, size: number, runs: Paid[], cpu: CpuPerThousand, direct: { perSecond: number }): void {
    const payoutSeconds = median(runs.map((r) => r.payoutSeconds));
    const ours = size / payoutSeconds;
    this.rates.set(`${target}:${size}`, { perSecond: ours, seconds: payoutSeconds, cpu });
    this.uploadTimes.set(size, [...(this.uploadTimes.get(size) ?? []), ...runs.map((r) => r.uploadMs)]);
    // Where the CPU went, per 1,000 lines (upload included): the same whatever else the machine runs,
    // unlike the wall-clock rate, so it says which of our processes to work on.
    this.cpuRows.push([target, String(size), ...[cpu.worker, cpu.temporal, cpu.postgres, cpu.api].map(cpuFigure)]);
    this.throughput.push([
      target,
      String(size),
      `${payoutSeconds.toFixed(1)} s`,
      `${ours.toFixed(1)}/s`,
      `${direct.perSecond.toFixed(1)}/s`,
      (ours / direct.perSecond).toFixed(2),
    ]);
    console.log(
      `  ${target} ${size} lines: ${ours.toFixed(1)} transfers/s vs direct ${direct.perSecond.toFixed(1)}/s; CPU s per 1,000 lines ${this.cpuRows.at(-1)!.slice(2).join(' / ')} (worker / Temporal / Postgres / API)`,
    );
  }

  print(big: BigUpload | null, peaks: PeakMemory): void {
    const uploads = [...this.uploadTimes].map(([size, times]) => [
      String(size),
      `${median(times).toFixed(0)} ms`,
      String(times.length),
    ]);
    printTable('Upload + validation (202 answered)', ['lines', 'median', 'runs'], uploads);
    printTable(
      `Payout throughput, concurrency ${CONCURRENCY}`,
      ['target', 'lines', 'upload->done', 'ours', 'direct', 'ratio'],
      this.throughput,
    );
    printTable(
      'CPU seconds per 1,000 lines paid (upload included)',
      ['target', 'lines', 'worker', 'Temporal server', 'Postgres (bench db)', 'API'],
      this.cpuRows,
    );
    printTable(
      'Stand-in payout over time: lines/s in the first, middle and last tenth of the lines',
      ['lines', 'first', 'middle', 'last'],
      this.overTime,
    );
    if (this.latency.length > 0) {
      printTable(
        `Read latency, one request every ${SAMPLE_MS} ms (while ${LATENCY_LINES.toLocaleString('en')} lines pay, then with the bulk ended)`,
        LATENCY_HEADER,
        this.latency,
      );
    }
    if (this.floor.length > 0) {
      printTable(
        `Temporal's own cost: ${FLOOR_LINES.toLocaleString('en')} lines of workflows with nothing in them, concurrency ${CONCURRENCY}`,
        ['line workflow', 'lines/s', 'CPU s per 1,000 lines: worker / Temporal server'],
        this.floor.map((rate) => [
          FLOOR_SHAPES[rate.shape],
          `${rate.perSecond.toFixed(1)}/s`,
          `${rate.workerCpuPer1000.toFixed(2)} / ${rate.serverCpuPer1000.toFixed(2)}`,
        ]),
      );
    }
    printTable(
      "A line's cost to Temporal, read from the run's histories (per line)",
      [
        'workflows',
        'line events',
        'line workflow tasks',
        'PayoutStatus upserts',
        'signals sent',
        'bulk events',
        'bulk workflow tasks',
        'bulk runs',
        'longest bulk run',
        'longest line',
        'slowest bulk task',
      ],
      this.costs.map(({ label, cost }) => [
        label,
        cost.line.events.toFixed(1),
        cost.line.workflowTasks.toFixed(2),
        cost.line.upserts.toFixed(2),
        cost.line.signalsSent.toFixed(2),
        cost.bulkPerLine.events.toFixed(2),
        cost.bulkPerLine.workflowTasks.toFixed(2),
        String(cost.bulkRuns),
        historyFigure(cost.longestBulkRun),
        historyFigure(cost.longestLine),
        `${(cost.slowestBulkTask.ms / 1000).toFixed(2)} s at event ${cost.slowestBulkTask.eventId} (${(cost.slowestBulkTask.historyBytesBefore / 1024).toFixed(0)} KB)`,
      ]),
    );
    for (const { label, cost } of this.costs) {
      const types = Object.entries(cost.bulkPerLine.byType)
        .filter(([, n]) => n >= 0.005)
        .map(([type, n]) => `${type} ${n.toFixed(2)}`);
      console.log(`  bulk events per line, ${label}: ${types.join(', ')}`);
    }
    if (this.ab)
      printTable(
        'A/B, 1,000 lines against the stand-in, alternating workers on the same server',
        [
          'worker',
          'round',
          'lines/s',
          'worker CPU s / 1,000',
          'Temporal server CPU s / 1,000',
          'line events',
          'line tasks',
          'upserts',
          'bulk events / line',
        ],
        this.ab,
      );
    if (big) {
      printTable(
        `${BIG_UPLOAD_LINES.toLocaleString('en')}-line upload`,
        ['measure', 'value'],
        [
          ['upload (validate + store + reserve)', `${big.uploadMs.toFixed(0)} ms`],
          ['COPY of the same rows into individual_transfers (rolled back)', `${big.copyMs.toFixed(0)} ms`],
          ['ratio upload / COPY', (big.uploadMs / big.copyMs).toFixed(1)],
          ['COPY of the file into a bare table (no key, index, check)', `${big.bareCopyMs.toFixed(0)} ms`],
          ['ratio upload / bare COPY', (big.uploadMs / big.bareCopyMs).toFixed(1)],
          ['API peak memory (VmHWM of an API started for it)', `${(big.peakKb / 1024).toFixed(0)} MB`],
          ['API memory before it (VmHWM, after a 10-line upload)', `${(big.beforeKb / 1024).toFixed(0)} MB`],
        ],
      );
    }
    printTable(
      'Peak memory (VmHWM) over the run',
      ['process', 'MB'],
      [...peaks.kb].map(([name, kb]) => [name, (kb / 1024).toFixed(0)]),
    );
    printTable('Against the goals (issue 13)', ['figure', 'measured', 'goal'], this.goalRows(big));
  }

  private goalRows(big: BigUpload | null): string[][] {
    const rows: string[][] = [];
    const small = this.rates.get('standin:1000');
    const [empty, skeleton] = [
      this.floor.find((f) => f.shape === 'emptyLineWorkflow'),
      this.floor.find((f) => f.shape === 'skeletonLineWorkflow'),
    ];
    if (small)
      rows.push([
        '1,000 lines against the stand-in',
        `${small.perSecond.toFixed(1)} lines/s (${small.seconds.toFixed(1)} s)`,
        '-',
      ]);
    if (empty && skeleton)
      rows.push([
        "Temporal floor: empty line workflow / our line's steps with no-op activities",
        `${empty.perSecond.toFixed(1)}/s / ${skeleton.perSecond.toFixed(1)}/s`,
        '-',
      ]);
    if (small && empty)
      rows.push(['our line / empty-workflow floor', (small.perSecond / empty.perSecond).toFixed(2), '>= 0.85']);
    if (small && skeleton)
      rows.push(['our line / no-op-activities floor', (small.perSecond / skeleton.perSecond).toFixed(2), '>= 0.95']);
    if (small && empty && skeleton) {
      // A line's CPU in every process, and the rate the machine's cores allow at that cost: when the cores are
      // the limit, the ratios above cannot exceed the ratios of these ceilings.
      const { worker, temporal, postgres, api } = small.cpu;
      const perLine = [worker + temporal + postgres + api, ...[empty, skeleton].map(floorCpuPerLine)];
      const ceilings = perLine.map((ms) => ((os.cpus().length * 1000) / ms).toFixed(0));
      rows.push([
        'CPU ms per line, all processes: our line / empty floor / no-op floor',
        `${perLine.map((ms) => ms.toFixed(1)).join(' / ')} (${os.cpus().length} cores: at most ${ceilings.join(' / ')} lines/s)`,
        '-',
      ]);
    }
    if (small) {
      const { worker, temporal, postgres, api } = small.cpu;
      rows.push([
        'CPU s per 1,000 lines: worker / Temporal server / Postgres / API',
        [worker, temporal, postgres, api].map(cpuFigure).join(' / '),
        `worker <= ${(WORKER_CPU_BEFORE / 2).toFixed(1)} (half of ${WORKER_CPU_BEFORE})`,
      ]);
    }
    const ours = this.costs.find((c) => c.label.startsWith('our line'));
    if (ours) {
      const { line, bulkPerLine } = ours.cost;
      rows.push([
        "per line: events in its history / events added to the bulk's / PayoutStatus upserts / workflow tasks",
        `${line.events.toFixed(1)} / ${bulkPerLine.events.toFixed(1)} / ${line.upserts.toFixed(2)} / ${line.workflowTasks.toFixed(2)}`,
        'fewer (see the cost table)',
      ]);
    }
    if (big) {
      rows.push([
        `${BIG_UPLOAD_LINES.toLocaleString('en')}-line upload / COPY of the same rows into individual_transfers`,
        `${(big.uploadMs / big.copyMs).toFixed(1)} (${big.uploadMs.toFixed(0)} ms vs ${big.copyMs.toFixed(0)} ms)`,
        '<= 3',
      ]);
      rows.push([
        `${BIG_UPLOAD_LINES.toLocaleString('en')}-line upload / COPY of the file into a bare table`,
        `${(big.uploadMs / big.bareCopyMs).toFixed(1)} (${big.bareCopyMs.toFixed(0)} ms)`,
        '-',
      ]);
      rows.push([
        `API peak memory, ${BIG_UPLOAD_LINES.toLocaleString('en')}-line upload`,
        `${(big.peakKb / 1024).toFixed(0)} MB`,
        '< 250 MB',
      ]);
    }
    const tenThousand = this.rates.get('standin:10000');
    if (tenThousand)
      rows.push([
        '10,000 lines end to end against the stand-in',
        `${(tenThousand.seconds / 60).toFixed(2)} min (${tenThousand.perSecond.toFixed(1)}/s)`,
        '< 2.5 min',
      ]);
    const hundred = this.rates.get('standin:100000');
    const hundredCost = this.costs.find((c) => c.cost.lines === 100_000);
    const hundredOverTime = this.overTime.find((row) => row[0] === '100000');
    if (hundred && hundredCost) {
      const c = hundredCost.cost;
      rows.push([
        '100,000 lines end to end',
        `${hundred.seconds.toFixed(0)} s, ${hundred.perSecond.toFixed(1)} lines/s; first/middle/last 10,000: ${hundredOverTime?.slice(1).join(' / ')}; ` +
          `server CPU ${hundred.cpu.temporal.toFixed(1)} ms/line; ${c.bulkRuns} bulk runs, longest ${historyFigure(c.longestBulkRun)}, slowest bulk task ${(c.slowestBulkTask.ms / 1000).toFixed(2)} s`,
        'flat, no task near 10 s',
      ]);
    }
    for (const row of this.latency.filter((r) => r[1] === 'paying'))
      rows.push([
        `${row[0]} p99 while ${LATENCY_LINES.toLocaleString('en')} lines pay`,
        row[4]!,
        row[0] === 'liveness' ? "- (the machine's load alone)" : '< 50 ms',
      ]);
    for (const row of this.latency.filter((r) => r[1] !== 'paying'))
      rows.push([`${row[0]} p99, ${row[1]} (the machine's floor)`, row[4]!, '-']);
    return rows;
  }
}

/** CPU ms per line of a floor: its worker's and the server's (CPU s per 1,000 lines are ms per line). */
function floorCpuPerLine(rate: FloorRate): number {
  return rate.workerCpuPer1000 + rate.serverCpuPer1000;
}

function cpuFigure(seconds: number): string {
  return seconds < 0 ? 'n/a' : seconds.toFixed(2);
}

function historyFigure(figures: HistoryFigures): string {
  return `${figures.events} events, ${(figures.bytes / 1024).toFixed(0)} KB`;
}

/**
 * Lines per second in the first, middle and last tenth of a paid bulk's lines, from the times the database
 * recorded each line final: a bulk whose cost grows with its size slows down towards its end.
 */
async function rateOverTime(databaseUrl: string, paid: Paid): Promise<string[]> {
  const knex = knexFactory(knexConfig(databaseUrl, 1));
  try {
    const rows = await knex('individual_transfers')
      .where('bulk_id', paid.bulkId)
      .whereIn('status', ['COMPLETED', 'FAILED'])
      .orderBy('updated_at')
      .select<Array<{ updated_at: Date }>>('updated_at');
    const times = rows.map((row) => row.updated_at.getTime());
    const tenth = Math.floor(times.length / 10);
    if (tenth < 1) return ['-', '-', '-'];
    const rate = (from: number, to: number) => `${((tenth * 1000) / Math.max(1, to - from)).toFixed(1)}/s`;
    const middle = Math.floor((times.length - tenth) / 2);
    return [
      rate(paid.startedAtMs, times[tenth - 1]!),
      rate(times[middle]!, times[middle + tenth - 1]!),
      rate(times[times.length - tenth]!, times.at(-1)!),
    ];
  } finally {
    await knex.destroy();
  }
}

/**
 * BENCH_COMPARE_DIR (another checkout of this project, e.g. a worktree of the commit before a change): 1,000 lines
 * against the stand-in paid by that checkout's worker and by this one's, by turns (A B A B...), on the same server,
 * API and database, so a change is measured against what it replaces under the same load.
 */
async function compareWorkers(
  api: { url: string; process: ChildProcess },
  token: string,
  services: Services,
  client: TemporalClient,
): Promise<string[][]> {
  const adapterUrl = await targetUrl('standin', '', services);
  const rows: string[][] = [];
  const replayed: string[] = [];
  const lines = 1000;
  for (let round = 1; round <= AB_ROUNDS; round += 1) {
    for (const [label, dir] of [
      ['A (compare)', COMPARE_DIR!],
      ['B (this tree)', ROOT],
    ] as const) {
      const worker = startNodeProcess(
        'src/worker/main.ts',
        serviceEnv(services, { SCHEME_ADAPTER_URL: adapterUrl }),
        dir,
      );
      try {
        await uploadAndPay({ apiUrl: api.url, token, temporal: client }, 10, 'standin', -1);
        const pids = { worker: worker.pid!, api: api.process.pid!, temporal: services.temporalPid };
        const before = cpuSeconds(pids);
        const paid = await uploadAndPay({ apiUrl: api.url, token, temporal: client }, lines, 'standin', round);
        const cpu = cpuPerThousand(before, cpuSeconds(pids), lines);
        const cost = await measureTemporalCost(
          client,
          workflowIdForBulk(paid.bulkId),
          linesOf(paid.bulkId, lines),
          lines,
        );
        if (dir !== ROOT) replayed.push(await replayOnThisTree(client, paid.bulkId, lines));
        rows.push([
          label,
          String(round),
          `${(lines / paid.payoutSeconds).toFixed(1)}/s`,
          cpuFigure(cpu.worker),
          cpuFigure(cpu.temporal),
          cost.line.events.toFixed(1),
          cost.line.workflowTasks.toFixed(2),
          cost.line.upserts.toFixed(2),
          cost.bulkPerLine.events.toFixed(2),
        ]);
        console.log(`  A/B ${rows.at(-1)!.join(' | ')}`);
      } finally {
        await stopChild(worker);
      }
    }
  }
  console.log(`  A/B: the compare checkout's histories replayed on this tree's workflows: ${replayed.join('; ')}`);
  return rows;
}

/**
 * Replays every run of a bulk paid by the compare checkout's worker, and a sample of its lines, on this tree's
 * workflow code: a change to the workflows must replay what the code before it recorded (running bulks).
 */
async function replayOnThisTree(client: TemporalClient, bulkId: string, lines: number): Promise<string> {
  const workflowId = workflowIdForBulk(bulkId);
  const ids: Array<{ workflowId: string; runId?: string }> = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    ids.push({ workflowId, runId: execution.runId });
  ids.push(...sampleLineNumbers(lines, 50).map((n) => ({ workflowId: workflowIdForLine(bulkId, n + 1) })));
  async function* histories() {
    for (const id of ids)
      yield {
        workflowId: id.workflowId,
        history: await client.workflow.getHandle(id.workflowId, id.runId).fetchHistory(),
      };
  }
  let failed = 0;
  let firstError = '';
  for await (const result of Worker.runReplayHistories(
    { workflowsPath: require.resolve('../workflows'), replayName: 'bench-ab' },
    histories(),
  )) {
    if (result.error) {
      failed += 1;
      firstError ||= `${result.workflowId}: ${result.error.message}`;
    }
  }
  return `${ids.length - failed}/${ids.length} histories replay${failed > 0 ? ` (first failure: ${firstError})` : ''}`;
}

async function startServices(scratch: string): Promise<Services> {
  const databaseUrl = `${process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432'}/${DATABASE_NAME}`;
  await dropDatabase(databaseUrl);
  await migrateToLatest(databaseUrl);
  const temporal = await startTemporalDevServer({
    port: await freePort(),
    logFile: path.join(scratch, 'temporal.log'),
  });
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
  const { seedDemoData } = await import('../scripts/demoData');
  const seedEnv = { ...process.env, DATABASE_URL: services.databaseUrl };
  Object.assign(process.env, seedEnv);
  const knex = knexFactory(knexConfig(services.databaseUrl, 1));
  try {
    await seedDemoData(knex, { demoPassword: DEMO_PASSWORD });
  } finally {
    await knex.destroy();
  }
  return startApiProcess(services);
}

/** An API process on the seeded database (a fresh one has the memory of what it does next only). */
async function startApiProcess(services: Services): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const env = serviceEnv(services, { PORT: String(port), HOST: '127.0.0.1' });
  const child = startNodeProcess('src/api/server.ts', env);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, process: child };
    await sleep(250);
  }
  throw new Error('API did not start');
}

/**
 * The API and the worker run as the image runs them (Dockerfile): the JavaScript tsc builds into dist/, with plain
 * node. Through tsx, every module is transformed on load and every closure is renamed at each call (esbuild's
 * keepNames), a cost production never pays.
 */
function buildForBench(root: string): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

function startNodeProcess(entry: string, env: NodeJS.ProcessEnv, root = ROOT): ChildProcess {
  const compiled = path.join(root, 'dist', entry.replace(/\.ts$/, '.js'));
  return spawn(process.execPath, [...NODE_ARGS, compiled], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
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
  if (response.status !== 202 || !body.bulkTransferId)
    throw new Error(`upload failed: ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
  return { bulkId: body.bulkTransferId, ms };
}

/** Who the bench pays as: the API (with a GESTIONNAIRE's token), and Temporal to learn when a bulk has ended. */
interface BenchClient {
  apiUrl: string;
  token: string;
  temporal: TemporalClient;
}

async function uploadAndPay(
  client: BenchClient,
  size: number,
  target: string,
  run: number,
  whilePaying?: (bulkId: string) => void,
) {
  const { bulkId, ms } = await upload(client.apiUrl, client.token, csvOf(size));
  const started = process.hrtime.bigint();
  whilePaying?.(bulkId);
  // The bulk's workflow ends once the bulk is final (through every continue-as-new run); waiting on it costs
  // nothing, where polling /status would add its own reads to the figures (the sampler measures those apart).
  await client.temporal.workflow.getHandle(workflowIdForBulk(bulkId)).result();
  const payoutSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const response = await fetch(`${client.apiUrl}/api/bulk-transfers/${bulkId}/status?limit=1`, {
    headers: { authorization: `Bearer ${client.token}` },
  });
  const status = (await response.json()) as { state: string; completed: number; failed: number };
  if (status.state !== 'COMPLETED' || status.completed !== size)
    console.warn(
      `  ${target} run ${run}: ${status.state}, ${status.completed}/${size} completed, ${status.failed} failed`,
    );
  return {
    bulkId,
    uploadMs: ms,
    payoutSeconds,
    startedAtMs: Date.now() - Number(process.hrtime.bigint() - started) / 1e6,
  };
}

interface ReadSampler {
  /** Tells the sampler the bulk has ended; resolves to its table rows. */
  stop(): Promise<string[][]>;
}

/**
 * Part 4: bench/readSampler.ts, a process of its own (so its timings are not disturbed by this one's polling),
 * reads /status and /details of the bulk by turns every SAMPLE_MS until stopped.
 */
function startReadSampler(apiUrl: string, token: string, bulkId: string, during: string): ReadSampler {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/readSampler.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      SAMPLER_API_URL: apiUrl,
      SAMPLER_TOKEN: token,
      SAMPLER_BULK_ID: bulkId,
      SAMPLER_EVERY_MS: String(SAMPLE_MS),
    },
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
      const summary = JSON.parse(await report) as Record<
        string,
        { samples: number; p50: number; p99: number; max: number; errors: number }
      >;
      return Object.entries(summary).map(([endpoint, r]) => [
        endpoint,
        during,
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
async function payWhileSampling(client: BenchClient, size: number, run: number) {
  let sampler: ReadSampler | null = null;
  const paid = await uploadAndPay(client, size, 'standin', run, (bulkId) => {
    sampler = startReadSampler(client.apiUrl, client.token, bulkId, 'paying');
  });
  const rows = await (sampler as ReadSampler | null)!.stop();
  return { paid, rows };
}

/** The same reads of the same bulk once it has ended: what they cost when the machine is not paying. */
async function sampleReadsAlone(apiUrl: string, token: string, bulkId: string): Promise<string[][]> {
  const sampler = startReadSampler(apiUrl, token, bulkId, 'bulk ended');
  await sleep(QUIET_SAMPLE_MS);
  return sampler.stop();
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

interface BigUpload {
  uploadMs: number;
  /** COPY of the same rows into individual_transfers: the goal's floor. */
  copyMs: number;
  /** COPY of the file's rows into a table with no key, index or constraint. */
  bareCopyMs: number;
  peakKb: number;
  beforeKb: number;
}

/** In an API process of its own, started for it: its peak memory is the upload's, not what earlier reads left. */
async function bigUpload(services: Services, client: TemporalClient): Promise<BigUpload> {
  const csv = csvOf(BIG_UPLOAD_LINES);
  const api = await startApiProcess(services);
  try {
    const token = await login(api.url);
    // A small upload first, so the figure is not the first request's (modules loaded, connections opened).
    await upload(api.url, token, csvOf(10));
    const beforeKb = peakRssKb(api.process.pid!);
    const { bulkId, ms } = await upload(api.url, token, csv);
    const peakKb = peakRssKb(api.process.pid!);
    return { uploadMs: ms, beforeKb, peakKb, ...(await afterBigUpload(services, client, bulkId, csv)) };
  } finally {
    await stopChild(api.process);
  }
}

async function afterBigUpload(
  services: Services,
  client: TemporalClient,
  bulkId: string,
  csv: string,
): Promise<{ copyMs: number; bareCopyMs: number }> {
  // No worker polls now, so nothing of it is paid; stop its workflow and leave the rows for COPY's comparison.
  await client.workflow
    .getHandle(workflowIdForBulk(bulkId))
    .terminate('benchmark upload only')
    .catch(() => undefined);
  return {
    copyMs: await copyIntoTransfers(services.databaseUrl, bulkId),
    bareCopyMs: await copyIntoBareTable(services.databaseUrl, csv),
  };
}

/**
 * The floor for storing these lines: COPY of the same rows, as text made beforehand, into individual_transfers
 * itself (its keys, indexes, checks and the foreign key to the bulk that every stored line pays), for a copy of
 * the uploaded bulk, in a transaction rolled back. Transfer ids are made as the upload makes them.
 */
async function copyIntoTransfers(databaseUrl: string, uploadedBulkId: string): Promise<number> {
  const client = new PgClient({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ line_number: number; payee_party_identifier: string; amount: string }>(
      'select line_number, payee_party_identifier, amount from individual_transfers where bulk_id = $1 order by line_number',
      [uploadedBulkId],
    );
    const copyBulkId = randomUUID();
    const now = Date.now();
    const text = rows
      .map(
        (row) =>
          `${uuidV7(now, randomUUID())}\t${copyBulkId}\t${row.line_number}\tMSISDN\t${row.payee_party_identifier}\t${row.amount}\tXOF\tPENDING\t\\N\n`,
      )
      .join('');
    await client.query('begin');
    await client.query(
      `insert into bulk_transfers (bulk_id, organization_id, payer_account_id, total_amount, currency, state, transfers_count, source)
       select $1, organization_id, payer_account_id, total_amount, currency, 'PENDING', transfers_count, source
         from bulk_transfers where bulk_id = $2`,
      [copyBulkId, uploadedBulkId],
    );
    const started = process.hrtime.bigint();
    const copy = client.query(
      copyFrom(`copy individual_transfers (transfer_id, bulk_id, line_number, payee_party_id_type, payee_party_identifier,
        amount, currency, status, expected_payee_name) from stdin`),
    );
    await pipeline(Readable.from([text]), copy);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    await client.query('rollback');
    return ms;
  } finally {
    await client.end();
  }
}

/** COPY of the file's rows into a bare scratch table (no key, index, check or foreign key): storage alone. */
async function copyIntoBareTable(databaseUrl: string, csv: string): Promise<number> {
  const knex = knexFactory(knexConfig(databaseUrl, 1));
  await knex.raw(`create table if not exists bench_copy (transfer_id uuid default gen_random_uuid(), line_number serial,
    payee_party_id_type text, payee_party_identifier text, currency char(3), amount bigint)`);
  await knex.destroy();
  const client = new PgClient({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = process.hrtime.bigint();
    const copy = client.query(
      copyFrom(
        'copy bench_copy (payee_party_id_type, payee_party_identifier, currency, amount) from stdin with (format csv, header true)',
      ),
    );
    await pipeline(Readable.from([csv]), copy);
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    await client.end();
  }
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
function cpuSeconds(pids: {
  worker: number;
  api: number;
  temporal: number;
}): Record<'worker' | 'api' | 'temporal' | 'postgres', number> {
  let postgres = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // A backend's command line is `postgres: <cluster>: <user> <database> <client> <state>`.
      if (
        readFileSync(`/proc/${entry}/cmdline`, 'utf8')
          .split(/[\s\0]+/)
          .includes(DATABASE_NAME)
      )
        postgres += ticks(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return {
    worker: ticks(pids.worker) / USER_HZ,
    api: ticks(pids.api) / USER_HZ,
    temporal: ticks(pids.temporal) / USER_HZ,
    postgres: postgres / USER_HZ,
  };
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
