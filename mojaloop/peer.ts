/**
 * The real Mojaloop peer for development and tests: the Mojaloop SDK scheme adapter 18.0.2 (what a DFSP runs
 * to connect to a hub) in front of the Mojaloop Testing Toolkit 18.19.2 acting as the switch, with our payee
 * rules (mojaloop/rules, documented in mojaloop/README.md). Both are npm packages installed in this folder
 * (its own package.json, `npm ci`), apart from the application's own dependencies.
 *
 *   npx tsx mojaloop/peer.ts                 runs the peer in the foreground (Ctrl-C stops it)
 *   npx tsx mojaloop/peer.ts --install-only  installs it (npm ci here) when needed, then exits
 *
 * Foreground settings come from the environment: PEER_RUNTIME_DIR, MOJALOOP_DFSP_ID, PEER_OUTBOUND_PORT,
 * PEER_INBOUND_PORT, PEER_SWITCH_PORT, PEER_ADMIN_PORT, PEER_REDIS_URL, PEER_REQUEST_TIMEOUT_SECONDS, PEER_LOG_FILE.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync, fstatSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { withInstallLock } from '../scripts/installLock';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { applyRules } = require('./rules/apply-rules.cjs') as {
  applyRules: (specDir: string, settings: { adapterInboundUrl: string; apiPort?: number }) => void;
};

const PEER_DIR = __dirname;
const TOOLKIT_DIR = path.join(PEER_DIR, 'node_modules', 'ml-testing-toolkit');
const ADAPTER_DIR = path.join(PEER_DIR, 'node_modules', '@mojaloop', 'sdk-scheme-adapter');
const PRELOAD = path.join(PEER_DIR, 'child-preload.cjs');
/** The toolkit's own default; child-preload.cjs moves it when adminPort differs. */
const DEFAULT_ADMIN_PORT = 5050;
const STARTUP_TIMEOUT_MS = 90_000;

export interface PeerOptions {
  /** A writable folder for the toolkit's spec files and the adapter's working directory (wiped at start). */
  runtimeDir: string;
  /** Our DFSP id at the switch. */
  dfspId: string;
  /** The adapter's Redis (default redis://127.0.0.1:6379). Use another database index (…/1) for a second peer. */
  redisUrl?: string;
  /** Adapter outbound API (ours to call), default 4001. */
  outboundPort?: number;
  /** Adapter inbound API (the switch's callbacks), default 4000. */
  inboundPort?: number;
  /** The switch (Testing Toolkit mock API), default 4040. */
  switchPort?: number;
  /** The toolkit's admin API (peer ledger), default 5050. */
  adminPort?: number;
  /** The adapter's Prometheus port, default outboundPort + 3 (4004). */
  metricsPort?: number;
  /** How long the adapter waits for a switch callback before answering 504 (default 10). */
  requestTimeoutSeconds?: number;
  /** The expiration the adapter puts on its quotes and transfers, in seconds from their request (default 60). */
  expirySeconds?: number;
  /** Both children's stdout and stderr (appended). Default: <runtimeDir>/peer.log. */
  logFile?: string;
}

export interface RunningPeer {
  outboundUrl: string;
  /** The toolkit's admin API: GET {adminUrl}/api/objectstore/inboundEnvironment is the peer ledger. */
  adminUrl: string;
  logFile: string;
  stop: () => Promise<void>;
}

/** Runs `npm ci` in mojaloop/ only when node_modules is missing or older than package-lock.json. */
export async function ensureMojaloopPeerInstalled(): Promise<void> {
  const marker = path.join(PEER_DIR, 'node_modules', '.package-lock.json');
  const lockfile = path.join(PEER_DIR, 'package-lock.json');
  const isInstalled = (): boolean =>
    existsSync(marker) &&
    existsSync(path.join(TOOLKIT_DIR, 'package.json')) &&
    existsSync(path.join(ADAPTER_DIR, 'package.json')) &&
    statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs;
  if (isInstalled()) return;
  // `npm start` and `npm test` may both get here on a fresh clone: one installs, the other waits.
  withInstallLock(path.join(PEER_DIR, '.install-lock'), isInstalled, () => {
    console.log('Installing the Mojaloop peer (npm ci in mojaloop/, about 40 s)...');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEER_DIR, stdio: 'inherit' });
  });
}

export async function startMojaloopPeer(options: PeerOptions): Promise<RunningPeer> {
  await ensureMojaloopPeerInstalled();
  const outboundPort = options.outboundPort ?? 4001;
  const inboundPort = options.inboundPort ?? 4000;
  const switchPort = options.switchPort ?? 4040;
  const adminPort = options.adminPort ?? DEFAULT_ADMIN_PORT;
  const metricsPort = options.metricsPort ?? outboundPort + 3;
  const ports = {
    outbound: outboundPort,
    inbound: inboundPort,
    switch: switchPort,
    admin: adminPort,
    metrics: metricsPort,
  };
  await assertPortsFree(ports);

  const runtimeDir = path.resolve(options.runtimeDir);
  const toolkitDir = path.join(runtimeDir, 'toolkit');
  const adapterDir = path.join(runtimeDir, 'adapter');
  prepareToolkitDir(toolkitDir, { switchPort, adapterInboundUrl: `http://127.0.0.1:${inboundPort}` });
  // The adapter reads a .env from its working directory: give it an empty folder and pass everything as env.
  rmSync(adapterDir, { recursive: true, force: true });
  mkdirSync(adapterDir, { recursive: true });

  const logFile = path.resolve(options.logFile ?? path.join(runtimeDir, 'peer.log'));
  mkdirSync(path.dirname(logFile), { recursive: true });
  const logFd = openSync(logFile, 'a');

  const children: ChildProcess[] = [];
  const killAll = () => children.forEach((child) => killGroup(child, 'SIGKILL'));
  process.once('exit', killAll);
  const childEnv = { PEER_PARENT_PID: String(process.pid), NODE_OPTIONS: '' };
  try {
    const toolkit = spawnChild(
      path.join(TOOLKIT_DIR, 'src', 'index.js'),
      toolkitDir,
      logFd,
      {
        ...childEnv,
        LOG_LEVEL: 'error',
        // See child-preload.cjs: drops the toolkit's per-request log broadcasts and 10-minute request histories
        // (for a web UI the npm package lacks): 5x the throughput, flat memory.
        TTK_LEAN: '1',
        TTK_ROOT: toolkitDir,
        TTK_ADMIN_PORT: String(adminPort),
      },
      ['--max-old-space-size=768', ...(process.env.PEER_TOOLKIT_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    );
    children.push(toolkit);
    const adapter = spawnChild(path.join(ADAPTER_DIR, 'src', 'index.js'), adapterDir, logFd, {
      ...childEnv,
      ...adapterEnvironment(options, { outboundPort, inboundPort, switchPort, metricsPort }),
    });
    children.push(adapter);
    await Promise.all([
      waitUntil(() => isPortOpen(switchPort), toolkit, 'The Mojaloop Testing Toolkit', `port ${switchPort}`, logFile),
      waitUntil(
        () => isPortOpen(adminPort),
        toolkit,
        'The Mojaloop Testing Toolkit',
        `admin port ${adminPort}`,
        logFile,
      ),
      waitUntil(
        () => httpOk(`http://127.0.0.1:${outboundPort}/`),
        adapter,
        'The SDK scheme adapter',
        `GET http://127.0.0.1:${outboundPort}/`,
        logFile,
      ),
    ]);
  } catch (error) {
    killAll();
    process.removeListener('exit', killAll);
    closeSync(logFd);
    throw error;
  }

  let stopped: Promise<void> | null = null;
  // A child dying on its own (e.g. out of memory) leaves the other one answering: say so loudly.
  for (const [who, child] of [
    ['Testing Toolkit (switch)', children[0]!],
    ['SDK scheme adapter', children[1]!],
  ] as const) {
    child.once('exit', (code, signal) => {
      if (stopped) return;
      process.stderr.write(
        `Mojaloop peer: the ${who} exited unexpectedly (code ${code}, signal ${signal}); see ${logFile}\n`,
      );
    });
  }
  return {
    outboundUrl: `http://127.0.0.1:${outboundPort}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    logFile,
    stop: () => {
      stopped ??= (async () => {
        await Promise.all(children.map((child) => stopChild(child)));
        process.removeListener('exit', killAll);
        closeSync(logFd);
      })();
      return stopped;
    },
  };
}

function adapterEnvironment(
  options: PeerOptions,
  ports: { outboundPort: number; inboundPort: number; switchPort: number; metricsPort: number },
): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    INBOUND_LISTEN_PORT: String(ports.inboundPort),
    OUTBOUND_LISTEN_PORT: String(ports.outboundPort),
    METRICS_SERVER_LISTEN_PORT: String(ports.metricsPort),
    PEER_ENDPOINT: `127.0.0.1:${ports.switchPort}`,
    // Unused (we drive the outbound API only) but required by the adapter's config.
    BACKEND_ENDPOINT: '127.0.0.1:3999',
    CACHE_URL: options.redisUrl ?? 'redis://127.0.0.1:6379',
    DFSP_ID: options.dfspId,
    JWS_SIGN: 'false',
    VALIDATE_INBOUND_JWS: 'false',
    CHECK_ILP: 'true',
    // Only signs ILP conditions between the adapter and the simulated switch of a local trial.
    ILP_SECRET: 'local-trial-ilp-secret',
    // Both default to true in code: we accept each step explicitly.
    AUTO_ACCEPT_PARTY: 'false',
    AUTO_ACCEPT_QUOTES: 'false',
    EXPIRY_SECONDS: String(options.expirySeconds ?? 60),
    REQUEST_PROCESSING_TIMEOUT_SECONDS: String(options.requestTimeoutSeconds ?? 10),
    INBOUND_MUTUAL_TLS_ENABLED: 'false',
    OUTBOUND_MUTUAL_TLS_ENABLED: 'false',
    ENABLE_TEST_FEATURES: 'false',
    PM4ML_ENABLED: 'false',
  };
}

/**
 * A fresh copy of the toolkit's shipped spec_files with our rules and config overlays (rules/apply-rules.cjs,
 * shared with docker-compose.yml so both run the same switch).
 */
function prepareToolkitDir(toolkitDir: string, settings: { switchPort: number; adapterInboundUrl: string }): void {
  const specDir = path.join(toolkitDir, 'spec_files');
  rmSync(toolkitDir, { recursive: true, force: true });
  mkdirSync(toolkitDir, { recursive: true });
  cpSync(path.join(TOOLKIT_DIR, 'spec_files'), specDir, { recursive: true });
  applyRules(specDir, { adapterInboundUrl: settings.adapterInboundUrl, apiPort: settings.switchPort });
}

/** Its own process group (detached), so stop() and the exit handler kill it and anything it started. */
function spawnChild(
  entry: string,
  cwd: string,
  logFd: number,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '-r', PRELOAD, entry], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', logFd, logFd],
    detached: true,
  });
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!isRunning(child)) return;
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (await isPortOpen(port)) busy.push(`${name} ${port}`);
  }
  if (busy.length === 0) return;
  const peerUp = await httpOk(`http://127.0.0.1:${ports.outbound}/`);
  throw new Error(
    `Cannot start the Mojaloop peer: port(s) already in use: ${busy.join(', ')}.` +
      (peerUp
        ? ` A scheme adapter already answers on http://127.0.0.1:${ports.outbound}/ (another peer or npm start is running).`
        : '') +
      ' Stop it or choose other ports (outboundPort, inboundPort, switchPort, adminPort, metricsPort).',
  );
}

function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function waitUntil(
  check: () => Promise<boolean>,
  child: ChildProcess,
  who: string,
  what: string,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isRunning(child)) {
      throw new Error(
        `${who} exited (code ${child.exitCode}, signal ${child.signalCode}) before ${what} was up. Log tail (${logFile}):\n${tail(logFile)}`,
      );
    }
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${who}: ${what} not up within ${STARTUP_TIMEOUT_MS} ms. Log tail (${logFile}):\n${tail(logFile)}`);
}

function tail(file: string, bytes = 3000): string {
  try {
    const fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    closeSync(fd);
    return buffer.toString('utf8');
  } catch {
    return '(no log)';
  }
}

if (require.main === module) {
  const installOnly = process.argv.includes('--install-only');
  const numberFromEnv = (name: string): number | undefined =>
    process.env[name] ? Number(process.env[name]) : undefined;
  (async () => {
    await ensureMojaloopPeerInstalled();
    if (installOnly) return;
    const started = Date.now();
    const peer = await startMojaloopPeer({
      runtimeDir: process.env.PEER_RUNTIME_DIR ?? path.join(os.tmpdir(), `pension-gateway-peer-${process.pid}`),
      dfspId: process.env.MOJALOOP_DFSP_ID ?? 'cnssbenin',
      redisUrl: process.env.PEER_REDIS_URL,
      outboundPort: numberFromEnv('PEER_OUTBOUND_PORT'),
      inboundPort: numberFromEnv('PEER_INBOUND_PORT'),
      switchPort: numberFromEnv('PEER_SWITCH_PORT'),
      adminPort: numberFromEnv('PEER_ADMIN_PORT'),
      requestTimeoutSeconds: numberFromEnv('PEER_REQUEST_TIMEOUT_SECONDS') ?? 10,
      logFile: process.env.PEER_LOG_FILE,
    });
    console.log(
      `Mojaloop peer ready in ${Date.now() - started} ms: outbound API ${peer.outboundUrl}, toolkit admin ${peer.adminUrl}, ` +
        `log ${peer.logFile}. Ctrl-C stops it.`,
    );
    const stop = () => void peer.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
