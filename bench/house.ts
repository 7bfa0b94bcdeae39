/**
 * `npm run bench:house`: the code's floor plan in figures, for this tree and (with BENCH_COMPARE_DIR, another
 * checkout with its node_modules) the other one, side by side in one run:
 *   - import cycles among src/, workflows/ and activities/, type-only imports included (dependency-cruiser's graph);
 *   - what a newcomer reads to follow one line's payment: every file of the tree that the line's workflow and its
 *     activities reach by imports, and the folders they live in (a concern's home such as src/payouts with its
 *     rules/ and store/, or a shared module such as src/config);
 *   - the fast test loop's wall time: `npm run test:fast` here; in a checkout without it, the unit and workflow
 *     tests by path (`npx jest test/unit test/workflow`), which is what that tree offered for the same files.
 * BENCH_SKIP_TESTS=1 leaves the timing out.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Dependency {
  resolved: string;
  circular: boolean;
}
interface Module {
  source: string;
  dependencies: Dependency[];
}

/** Every import seen, type-only ones too, and cycles flagged. */
const CRUISE_CONFIG = `module.exports = {
  forbidden: [{ name: 'cycle', severity: 'error', from: {}, to: { circular: true } }],
  options: {
    doNotFollow: { path: ['node_modules'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.cjs', '.json', '.d.ts'] },
  },
};`;

function importGraph(root: string): Module[] {
  const configFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'house-')), 'cruise.cjs');
  writeFileSync(configFile, CRUISE_CONFIG);
  const result = spawnSync(
    'npx',
    ['depcruise', '--config', configFile, '--output-type', 'json', 'src', 'workflows', 'activities'],
    { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  const { modules } = JSON.parse(result.stdout) as { modules: Module[] };
  return modules.filter((module) => /^(src|workflows|activities)\//.test(module.source));
}

function filesInCycles(modules: Module[]): number {
  return modules.filter((module) => module.dependencies.some((dependency) => dependency.circular)).length;
}

/** The file that declares `needle` (an exported name), found by grep so that both layouts are read alike. */
function fileDeclaring(root: string, needle: string): string {
  const found = execFileSync('grep', ['-rl', '--include=*.ts', needle, 'workflows', 'activities'], {
    cwd: root,
    encoding: 'utf8',
  });
  const first = found.split('\n').find(Boolean);
  if (!first) throw new Error(`${root}: nothing declares ${needle}`);
  return first;
}

/** Where a file lives: its concern's home (src/payouts, workflows/payouts, ...) or a shared folder (src/config). */
function homeOf(file: string): string {
  const [top, second, third] = file.split('/');
  if (top === 'src' || third !== undefined) return `${top}/${second}`;
  return top!;
}

/** The homes of every file of the tree reachable from the entry files by imports. */
function homesReached(modules: Module[], entries: string[]): { files: number; homes: string[] } {
  const bySource = new Map(modules.map((module) => [module.source, module]));
  const seen = new Set<string>();
  const queue = [...entries];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (seen.has(next) || !bySource.has(next)) continue;
    seen.add(next);
    for (const dependency of bySource.get(next)!.dependencies) queue.push(dependency.resolved);
  }
  return { files: seen.size, homes: [...new Set([...seen].map(homeOf))].sort() };
}

function fastLoopSeconds(root: string): number {
  const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const hasFastLoop = 'test:fast' in scripts;
  const [command, args] = hasFastLoop ? ['npm', ['run', 'test:fast']] : ['npx', ['jest', 'test/unit', 'test/workflow']];
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, JEST_RUN_ID: `house-${process.pid}` },
  });
  if (run.status !== 0) throw new Error(`${root}: ${command} ${args.join(' ')} failed`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

interface House {
  root: string;
  cycleFiles: number;
  linePath: { files: number; homes: string[] };
  fastLoopSeconds: number | null;
}

function measure(root: string): House {
  const modules = importGraph(root);
  const entries = [
    fileDeclaring(root, 'export async function payoutTransferWorkflow'),
    fileDeclaring(root, 'export function createTransferActivities'),
  ];
  return {
    root,
    cycleFiles: filesInCycles(modules),
    linePath: homesReached(modules, entries),
    fastLoopSeconds: process.env.BENCH_SKIP_TESTS === '1' ? null : fastLoopSeconds(root),
  };
}

function print(houses: House[]): void {
  const row = (label: string, value: (house: House) => string) =>
    console.log(`| ${label} | ${houses.map(value).join(' | ')} |`);
  console.log(`| figure | ${houses.map((house) => house.root).join(' | ')} |`);
  console.log(`|---|${houses.map(() => '---').join('|')}|`);
  row('files in an import cycle (type-only imports included)', (house) => String(house.cycleFiles));
  row("files a line's payment reaches", (house) => String(house.linePath.files));
  row('folders they live in', (house) => String(house.linePath.homes.length));
  row('fast test loop, s', (house) => (house.fastLoopSeconds === null ? '-' : house.fastLoopSeconds.toFixed(1)));
  for (const house of houses) console.log(`\n${house.root}: ${house.linePath.homes.join(', ')}`);
}

const roots = [process.cwd(), ...(process.env.BENCH_COMPARE_DIR ? [path.resolve(process.env.BENCH_COMPARE_DIR)] : [])];
print(roots.map(measure));
