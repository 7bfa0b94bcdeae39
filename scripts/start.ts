/**
 * `npm start`: the whole product on one machine, for a trial or a demo.
 * Starts, in order: the database (created and migrated) with demo data, the Temporal dev server with its
 * Web UI (workflows kept in data/temporal.db across restarts), the real Mojaloop peer (scheme adapter in
 * front of the Testing Toolkit), then the worker and the API as child processes. Ctrl-C stops everything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const DATA_DIR = path.join(ROOT, 'data');

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

const running: Stoppable[] = [];

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  applyLocalDefaults();

  // Imported after the defaults are in process.env, since the config module reads it once.
  const { config } = await import('../src/config');
  const { migrateToLatest } = await import('../src/db/migrate');
  const { startTemporalDevServer, stopChild } = await import('../temporal/devServer');
  const settings = config();

  step('Preparing the database');
  await migrateToLatest(settings.database.url);
  const logins = await seedDemoLogins();

  step('Starting the Temporal dev server and Web UI');
  const temporalPort = Number(settings.temporal.address.split(':').pop());
  const temporal = await startTemporalDevServer({
    port: temporalPort,
    // 0: no Web UI (the dev server runs headless).
    uiPort: Number(process.env.TEMPORAL_UI_PORT ?? temporalPort + 1000),
    dbFile: path.join(DATA_DIR, 'temporal.db'),
    logFile: path.join(DATA_DIR, 'logs', 'temporal.log'),
  });
  running.push({ name: 'Temporal dev server', stop: temporal.stop });

  step('Starting the Mojaloop peer (SDK scheme adapter + Testing Toolkit)');
  const peerModule = path.join(ROOT, 'mojaloop', 'peer.ts');
  if (existsSync(peerModule)) {
    const { startMojaloopPeer } = await import('../mojaloop/peer');
    const peer = await startMojaloopPeer({
      runtimeDir: path.join(DATA_DIR, 'mojaloop'),
      dfspId: process.env.MOJALOOP_DFSP_ID ?? 'cnssbenin',
      logFile: path.join(DATA_DIR, 'logs', 'mojaloop.log'),
    });
    running.push({ name: 'Mojaloop peer', stop: peer.stop });
  }

  step('Starting the worker and the API');
  const worker = startNodeProcess('worker', 'src/worker/main.ts');
  const api = startNodeProcess('api', 'src/api/server.ts');
  running.push({ name: 'API', stop: () => stopChild(api) }, { name: 'worker', stop: () => stopChild(worker) });
  await waitForHttp(`http://127.0.0.1:${settings.http.port}/healthz`, 60000);

  printWelcome(settings.http.publicBaseUrl, temporal.uiUrl, logins);
}

/** Local defaults for a trial; anything set in the environment or .env wins. */
function applyLocalDefaults(): void {
  process.env.NODE_ENV ??= 'development';
  if (process.env.NODE_ENV === 'production') {
    throw new Error('npm start runs the local trial stack; in production run the API and worker images (see README).');
  }
  // A random signing key kept under data/, so tokens are never signed with a key published in the code.
  const secretFile = path.join(DATA_DIR, 'dev-secret-key');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  process.env.SECRET_KEY ??= readFileSync(secretFile, 'utf8').trim();
  if (!process.env.DEMO_PASSWORD) {
    const passwordFile = path.join(DATA_DIR, 'demo-password');
    if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(12).toString('base64url'), { mode: 0o600 });
    process.env.DEMO_PASSWORD = readFileSync(passwordFile, 'utf8').trim();
  }
}

async function seedDemoLogins(): Promise<Array<{ email: string; password: string | null }>> {
  const { seedDemoData } = await import('./demoData');
  const { config } = await import('../src/config');
  const { openDatabase } = await import('../src/db/knex');
  const db = openDatabase(config().database);
  try {
    const { logins } = await seedDemoData(db, { demoPassword: process.env.DEMO_PASSWORD });
    return logins;
  } finally {
    await db.destroy();
  }
}

function startNodeProcess(name: string, entry: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('exit', (code, signal) => {
    if (shuttingDown) return;
    console.error(`The ${name} stopped unexpectedly (code ${code}, signal ${signal}); stopping everything.`);
    void shutdown(1);
  });
  return child;
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * The addresses to open. The API's come from PUBLIC_BASE_URL (http://localhost:<PORT> when unset), so a trial
 * reached through another name prints that name. The dev server's Web UI listens on 127.0.0.1 only (whoever
 * reaches it may cancel or approve payouts), so it is printed as a local address, and said to be one when
 * PUBLIC_BASE_URL names another host.
 */
function printWelcome(
  publicBaseUrl: string,
  temporalUiUrl: string | null,
  logins: Array<{ email: string; password: string | null }>,
): void {
  const remote = !['localhost', '127.0.0.1', '[::1]'].includes(new URL(publicBaseUrl).hostname);
  const webUi =
    temporalUiUrl === null
      ? '(not started: TEMPORAL_UI_PORT=0)'
      : `${temporalUiUrl}${remote ? '  (on this machine only)' : ''}`;
  const lines = [
    '',
    'Pension payout gateway is running.',
    `  Console          ${publicBaseUrl}/`,
    `  API              ${publicBaseUrl}/api`,
    `  Swagger UI       ${publicBaseUrl}/swagger/`,
    `  Readiness        ${publicBaseUrl}/readyz`,
    `  Temporal Web UI  ${webUi}`,
    '',
    'Demo logins (email / password):',
    ...logins.map((login) => `  ${login.email} / ${login.password ?? '(unchanged)'}`),
    '',
    'Logs: data/logs/. Press Ctrl-C to stop everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

function step(message: string): void {
  console.log(`==> ${message}`);
}

let shuttingDown = false;

async function shutdown(exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log('\nStopping...');
  for (const service of running.reverse()) {
    try {
      await service.stop();
    } catch (error) {
      console.error(`Could not stop the ${service.name}:`, error);
    }
  }
  process.exit(exitCode);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
});
