/**
 * The real Mojaloop peer for development and tests: the Mojaloop SDK scheme adapter (what a DFSP runs to
 * connect to a hub) in front of the Mojaloop Testing Toolkit acting as the switch, with our payee rules
 * (mojaloop/rules, documented in mojaloop/README.md). Both are npm packages installed in this folder, apart
 * from the application's own dependencies.
 *
 *   npx tsx mojaloop/peer.ts                 runs the peer in the foreground (Ctrl-C stops it)
 *   npx tsx mojaloop/peer.ts --install-only  installs it (npm ci here) when needed, then exits
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const PEER_DIR = __dirname;
const TOOLKIT_DIR = path.join(PEER_DIR, 'node_modules', 'ml-testing-toolkit');
const ADAPTER_DIR = path.join(PEER_DIR, 'node_modules', '@mojaloop', 'sdk-scheme-adapter');
const RULES_DIR = path.join(PEER_DIR, 'rules');
/** Hard-coded in the toolkit. */
const TOOLKIT_ADMIN_PORT = 5050;

export interface PeerOptions {
  /** A writable folder for the toolkit's spec files and the adapter's working directory. */
  runtimeDir: string;
  /** Our DFSP id at the switch. */
  dfspId: string;
  redisUrl?: string;
  outboundPort?: number;
  inboundPort?: number;
  switchPort?: number;
  /** How long the adapter waits for a switch callback before answering 504. */
  requestTimeoutSeconds?: number;
  logFile?: string;
}

export interface RunningPeer {
  outboundUrl: string;
  stop(): Promise<void>;
}

export async function ensureMojaloopPeerInstalled(): Promise<void> {
  const marker = path.join(PEER_DIR, 'node_modules', '.package-lock.json');
  const lockfile = path.join(PEER_DIR, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs) return;
  console.log('Installing the Mojaloop peer (npm ci in mojaloop/, about a minute)...');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEER_DIR, stdio: 'inherit' });
}

export async function startMojaloopPeer(options: PeerOptions): Promise<RunningPeer> {
  await ensureMojaloopPeerInstalled();
  const outboundPort = options.outboundPort ?? 4001;
  const inboundPort = options.inboundPort ?? 4000;
  const switchPort = options.switchPort ?? 4040;
  for (const port of [outboundPort, inboundPort, switchPort, TOOLKIT_ADMIN_PORT]) {
    if (await isPortOpen(port)) {
      throw new Error(`Port ${port} is already in use: is another Mojaloop peer (or npm start) running?`);
    }
  }

  const toolkitDir = path.join(options.runtimeDir, 'toolkit');
  prepareToolkitSpecFiles(toolkitDir, { switchPort, adapterInboundUrl: `http://127.0.0.1:${inboundPort}` });
  // The adapter reads a .env from its working directory: give it an empty folder and pass everything as env.
  const adapterDir = path.join(options.runtimeDir, 'adapter');
  mkdirSync(adapterDir, { recursive: true });

  const log = options.logFile ? openLog(options.logFile) : null;
  const children: ChildProcess[] = [];
  const stopAll = () => children.forEach((child) => child.exitCode === null && child.kill('SIGKILL'));
  process.once('exit', stopAll);

  try {
    children.push(
      spawnLogged('toolkit', path.join(TOOLKIT_DIR, 'src', 'index.js'), toolkitDir, { LOG_LEVEL: 'error' }, log),
    );
    await waitForPort(switchPort, 60000, children[0]);
    children.push(
      spawnLogged(
        'adapter',
        path.join(ADAPTER_DIR, 'src', 'index.js'),
        adapterDir,
        adapterEnvironment(options, { outboundPort, inboundPort, switchPort }),
        log,
      ),
    );
    await waitForHttpOk(`http://127.0.0.1:${outboundPort}/`, 60000, children[1]);
  } catch (error) {
    stopAll();
    throw error;
  }

  return {
    outboundUrl: `http://127.0.0.1:${outboundPort}`,
    stop: async () => {
      process.removeListener('exit', stopAll);
      await Promise.all(children.map(stopProcess));
    },
  };
}

function adapterEnvironment(
  options: PeerOptions,
  ports: { outboundPort: number; inboundPort: number; switchPort: number },
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    INBOUND_LISTEN_PORT: String(ports.inboundPort),
    OUTBOUND_LISTEN_PORT: String(ports.outboundPort),
    // 0 would pick nothing; the metrics port just must not collide with a second peer.
    METRICS_SERVER_LISTEN_PORT: String(ports.outboundPort + 3),
    PEER_ENDPOINT: `127.0.0.1:${ports.switchPort}`,
    BACKEND_ENDPOINT: '127.0.0.1:3999',
    CACHE_URL: options.redisUrl ?? 'redis://127.0.0.1:6379',
    DFSP_ID: options.dfspId,
    JWS_SIGN: 'false',
    VALIDATE_INBOUND_JWS: 'false',
    CHECK_ILP: 'true',
    // Only signs ILP conditions between the adapter and the simulated switch of a local trial.
    ILP_SECRET: 'local-trial-ilp-secret',
    AUTO_ACCEPT_PARTY: 'false',
    AUTO_ACCEPT_QUOTES: 'false',
    EXPIRY_SECONDS: '60',
    REQUEST_PROCESSING_TIMEOUT_SECONDS: String(options.requestTimeoutSeconds ?? 10),
    INBOUND_MUTUAL_TLS_ENABLED: 'false',
    OUTBOUND_MUTUAL_TLS_ENABLED: 'false',
    ENABLE_TEST_FEATURES: 'false',
    PM4ML_ENABLED: 'false',
  };
}

/** A fresh copy of the toolkit's spec files with our rules and our adapter as the callback endpoint. */
function prepareToolkitSpecFiles(toolkitDir: string, settings: { switchPort: number; adapterInboundUrl: string }): void {
  const specDir = path.join(toolkitDir, 'spec_files');
  mkdirSync(toolkitDir, { recursive: true });
  cpSync(path.join(TOOLKIT_DIR, 'spec_files'), specDir, { recursive: true });
  for (const kind of ['rules_callback', 'rules_validation']) {
    const ours = path.join(RULES_DIR, kind);
    if (!existsSync(ours)) continue;
    for (const file of readdirSync(ours)) copyFileSync(path.join(ours, file), path.join(specDir, kind, file));
  }
  const systemConfigPath = path.join(specDir, 'system_config.json');
  const systemConfig = JSON.parse(readJson(systemConfigPath));
  systemConfig.API_PORT = settings.switchPort;
  writeFileSync(systemConfigPath, JSON.stringify(systemConfig, null, 2));
  const userConfigPath = path.join(specDir, 'user_config.json');
  const userConfig = JSON.parse(readJson(userConfigPath));
  userConfig.CALLBACK_ENDPOINT = settings.adapterInboundUrl;
  userConfig.FSPID = 'switch';
  writeFileSync(userConfigPath, JSON.stringify(userConfig, null, 2));
}

function readJson(file: string): string {
  return readFileSync(file, 'utf8');
}

function spawnLogged(
  name: string,
  entry: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: NodeJS.WritableStream | null,
): ChildProcess {
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    if (log) stream.on('data', (chunk: Buffer) => log.write(`[${name}] ${chunk.toString()}`));
    else stream.resume();
  }
  return child;
}

function openLog(file: string): NodeJS.WritableStream {
  mkdirSync(path.dirname(file), { recursive: true });
  return createWriteStream(file, { flags: 'a' });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The Mojaloop Testing Toolkit exited with code ${child.exitCode}`);
    if (await isPortOpen(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The Mojaloop Testing Toolkit did not open port ${port} within ${timeoutMs} ms`);
}

async function waitForHttpOk(url: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The scheme adapter exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The scheme adapter did not answer ${url} within ${timeoutMs} ms`);
}

if (require.main === module) {
  const installOnly = process.argv.includes('--install-only');
  (async () => {
    await ensureMojaloopPeerInstalled();
    if (installOnly) return;
    const peer = await startMojaloopPeer({
      runtimeDir: path.join(os.tmpdir(), 'pension-gateway-peer'),
      dfspId: process.env.MOJALOOP_DFSP_ID ?? 'cnssbenin',
      requestTimeoutSeconds: Number(process.env.PEER_REQUEST_TIMEOUT_SECONDS ?? 10),
    });
    console.log(`Mojaloop peer ready: outbound API ${peer.outboundUrl}. Ctrl-C stops it.`);
    const stop = () => void peer.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
