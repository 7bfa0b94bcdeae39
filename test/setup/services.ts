/**
 * What a jest run starts for its test files, and only what the projects it runs need (jest.config.js): each
 * project's global setup (startWorkflowBundles.ts, startDatabaseAndTemporal.ts, startAllServices.ts) asks for its
 * services here, and Jest runs the setup of a project only when the run has test files of it. Each service is
 * started at most once per run, whichever projects ask for it: the workflow bundle is built once, never per file.
 * The state lives on globalThis because Jest loads each setup file (and the teardown) as a module of its own, in
 * the one process that runs them all, one after the other, before any test file.
 *
 * Test files read the addresses through test/setup/env.ts. Nothing here is mocked.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningPeer } from '../../mojaloop/peer';
import type { RunningDevServer } from '../../temporal/devServer';
import { TEST_PEER_REQUEST_TIMEOUT_SECONDS, offlineEnv, testEnvFile, type TestServices } from './testEnvironment';

/**
 * database: a fresh Postgres database, migrated; temporal: a dev server on free ports; peer: the real Mojaloop
 * peer (fixed ports, see below); workflowBundle: workflows/ bundled, for the workers and the replay test;
 * standInBundle: the bundle of test/workflow/support/lineStandInWorkflows.ts, for test/workflow only.
 */
export type Service = 'database' | 'temporal' | 'peer' | 'workflowBundle' | 'standInBundle';

interface RunState {
  scratchDir: string;
  env: Record<string, string>;
  started: Set<Service>;
  temporal?: RunningDevServer;
  databaseUrl?: string;
  /** Null when the run found a peer already up on 4001 and uses it: not ours to stop. */
  peer?: RunningPeer | null;
  /** Files that are ours to remove at the end (the scratch folder stays: it holds the services' logs). */
  bundles: string[];
}

const STATE_KEY = '__PENSION_GATEWAY_TEST__';

function runState(): RunState | undefined {
  return (globalThis as Record<string, unknown>)[STATE_KEY] as RunState | undefined;
}

/** Starts those of `services` this run has not started yet, then writes what the test files read. */
export async function startServices(services: readonly Service[]): Promise<void> {
  const state = runState() ?? firstSetup();
  for (const service of services) {
    if (state.started.has(service)) continue;
    await START[service](state);
    state.started.add(service);
  }
  const file: TestServices = { env: state.env };
  writeFileSync(testEnvFile(), JSON.stringify(file));
}

/** The run's global teardown: stops what the run started, whichever projects ran. */
export async function stopServices(): Promise<void> {
  const state = runState();
  if (!state) return;
  delete (globalThis as Record<string, unknown>)[STATE_KEY];
  await state.temporal?.stop();
  await state.peer?.stop();
  if (state.databaseUrl && !process.env.KEEP_TEST_DATABASE) {
    const { dropDatabase } = await import('../../src/db/ensureDatabase');
    await dropDatabase(state.databaseUrl);
  }
  for (const bundle of state.bundles) rmSync(bundle, { force: true });
  // Without a server started, the scratch folder holds no log worth keeping (a run of the fast tests, say).
  if (!state.temporal && !state.peer && !state.databaseUrl) rmSync(state.scratchDir, { recursive: true, force: true });
  rmSync(testEnvFile(), { force: true });
}

function firstSetup(): RunState {
  // This run's own id (test files and teardown read it from the environment): see testEnvFile().
  process.env.JEST_RUN_ID ??= `${process.pid}-${randomBytes(4).toString('hex')}`;
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'pension-gateway-test-'));
  const outboxDir = path.join(scratchDir, 'outbox');
  mkdirSync(outboxDir, { recursive: true });
  const state: RunState = {
    scratchDir,
    env: {
      ...offlineEnv(),
      TEMPORAL_TASK_QUEUE: `pension-payouts-test-${process.pid}`,
      SECRET_KEY: randomBytes(32).toString('hex'),
      MAIL_OUTBOX_DIR: outboxDir,
      TEST_SCRATCH_DIR: scratchDir,
    },
    started: new Set(),
    bundles: [],
  };
  (globalThis as Record<string, unknown>)[STATE_KEY] = state;
  return state;
}

/** Each service's start. Modules are loaded on demand: a run of the workflow tests loads no database driver. */
const START: Record<Service, (state: RunState) => Promise<void>> = {
  async database(state) {
    const { migrateToLatest } = await import('../../src/db/migrate');
    const databaseName = `pension_gateway_test_${process.pid}_${randomBytes(3).toString('hex')}`;
    const server = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
    state.databaseUrl = `${server}/${databaseName}`;
    await migrateToLatest(state.databaseUrl);
    state.env.DATABASE_URL = state.databaseUrl;
  },

  async temporal(state) {
    const { freePort, startTemporalDevServer } = await import('../../temporal/devServer');
    const port = await freePort();
    state.temporal = await startTemporalDevServer({ port, logFile: path.join(state.scratchDir, 'temporal.log') });
    state.env.TEMPORAL_ADDRESS = state.temporal.address;
  },

  async peer(state) {
    const { isPortOpen } = await import('../../temporal/devServer');
    // The real Mojaloop peer. Its toolkit's admin port is fixed, so one runs per machine: reuse one already up.
    if (await isPortOpen(4001)) {
      state.peer = null;
      state.env.SCHEME_ADAPTER_URL = 'http://127.0.0.1:4001';
    } else {
      const { startMojaloopPeer } = await import('../../mojaloop/peer');
      state.peer = await startMojaloopPeer({
        runtimeDir: path.join(state.scratchDir, 'mojaloop'),
        dfspId: 'cnssbenin',
        requestTimeoutSeconds: TEST_PEER_REQUEST_TIMEOUT_SECONDS,
        logFile: path.join(state.scratchDir, 'mojaloop.log'),
      });
      state.env.SCHEME_ADAPTER_URL = state.peer.outboundUrl;
    }
  },

  async workflowBundle(state) {
    state.env.WORKFLOW_BUNDLE_PATH = await bundle(state, require.resolve('../../workflows'), 'workflow-bundle.js');
  },

  async standInBundle(state) {
    state.env.STAND_IN_WORKFLOW_BUNDLE_PATH = await bundle(
      state,
      require.resolve('../workflow/support/lineStandInWorkflows'),
      'stand-in-workflow-bundle.js',
    );
  },
};

async function bundle(state: RunState, workflowsPath: string, fileName: string): Promise<string> {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const file = path.join(state.scratchDir, fileName);
  writeFileSync(file, code);
  state.bundles.push(file);
  return file;
}
