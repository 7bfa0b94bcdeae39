/**
 * Starts what the suite runs against, once: a fresh Postgres database (migrated), a Temporal dev server on
 * free ports, the workflow bundle, and the real Mojaloop peer. Test files read the addresses through
 * test/setup/env.ts. Nothing here is mocked.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { migrateToLatest } from '../../src/db/migrate';
import { startMojaloopPeer } from '../../mojaloop/peer';
import { freePort, isPortOpen, startTemporalDevServer } from '../../temporal/devServer';
import { TEST_PEER_REQUEST_TIMEOUT_SECONDS, testEnvFile, type TestServices } from './testEnvironment';

export default async function globalSetup(): Promise<void> {
  // This run's own id (test files and teardown read it from the environment): see testEnvFile().
  process.env.JEST_RUN_ID ??= `${process.pid}-${randomBytes(4).toString('hex')}`;
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'pension-gateway-test-'));
  const databaseName = `pension_gateway_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = `${process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432'}/${databaseName}`;
  await migrateToLatest(databaseUrl);

  const temporalPort = await freePort();
  const temporal = await startTemporalDevServer({ port: temporalPort, logFile: path.join(scratchDir, 'temporal.log') });

  const workflowBundlePath = path.join(scratchDir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  writeFileSync(workflowBundlePath, code);

  // The real Mojaloop peer. Its toolkit's admin port is fixed, so one runs per machine: reuse one already up.
  const peerRunning = await isPortOpen(4001);
  const peer = peerRunning
    ? null
    : await startMojaloopPeer({
        runtimeDir: path.join(scratchDir, 'mojaloop'),
        dfspId: 'cnssbenin',
        requestTimeoutSeconds: TEST_PEER_REQUEST_TIMEOUT_SECONDS,
        logFile: path.join(scratchDir, 'mojaloop.log'),
      });

  const outboxDir = path.join(scratchDir, 'outbox');
  mkdirSync(outboxDir, { recursive: true });

  const services: TestServices = {
    workflowBundlePath,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: `pension-payouts-test-${process.pid}`,
      SECRET_KEY: randomBytes(32).toString('hex'),
      MAIL_OUTBOX_DIR: outboxDir,
      SCHEME_ADAPTER_URL: peer?.outboundUrl ?? 'http://127.0.0.1:4001',
      SCHEME_ADAPTER_TIMEOUT_MS: '20000',
      TEST_SCRATCH_DIR: scratchDir,
      // Worker processes started by tests must not sweep other tests' PENDING bulks; the sweep has its own test.
      STRANDED_BULK_SWEEP_MINUTES: '0',
    },
  };
  writeFileSync(testEnvFile(), JSON.stringify(services));

  (globalThis as Record<string, unknown>).__PENSION_GATEWAY_TEST__ = { temporal, databaseUrl, peer };
}
