/**
 * What the payout workflow tests share: the real Mojaloop peer, a Temporal connection, and a payout worker on
 * the test's own task queue with the workflow bundle built by the global setup.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { type Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { ActivityDependencies, PayoutAdapter } from '../../activities';
import { SchemeAdapterClient } from '../../src/payouts/schemeAdapterClient';
import { apiTemporalClient } from '../../src/clients/temporal';
import { config } from '../../src/config';
import { logger } from '../../src/logging/logger';
import { temporalLoggerFor } from '../../src/logging/temporalLogger';
import { type BulkPayoutResult, workflowIdForBulk } from '../../src/payouts/contract';
import { createPayoutWorker } from '../../src/worker/createWorker';
import { decisionPublicKeys } from '../../src/payouts/decisionTokenKeys';
import { isPortOpen } from '../../temporal/devServer';

export interface RunningPeer {
  outboundUrl: string;
  stop(): Promise<void>;
}

/** The real peer: the one already running on 4001 (a developer's), or one started for this test file. */
export async function useMojaloopPeer(): Promise<RunningPeer> {
  if (await isPortOpen(4001)) return { outboundUrl: 'http://127.0.0.1:4001', stop: async () => undefined };
  const { startMojaloopPeer } = await import('../../mojaloop/peer');
  const scratch = process.env.TEST_SCRATCH_DIR ?? path.join(os.tmpdir(), 'pension-gateway-peer');
  const peer = await startMojaloopPeer({
    runtimeDir: path.join(scratch, `mojaloop-${process.pid}`),
    dfspId: 'cnssbenin',
  });
  return { outboundUrl: peer.outboundUrl, stop: () => peer.stop() };
}

export function adapterClient(outboundUrl: string): SchemeAdapterClient {
  return new SchemeAdapterClient({ baseUrl: outboundUrl, timeoutMs: config().mojaloop.requestTimeoutMs });
}

/** Counts calls to the real adapter client (each call goes through to the peer unchanged). */
export function countingAdapter(adapter: PayoutAdapter): {
  adapter: PayoutAdapter;
  calls: Record<keyof PayoutAdapter, string[]>;
} {
  const calls: Record<keyof PayoutAdapter, string[]> = {
    startTransfer: [],
    acceptParty: [],
    acceptQuote: [],
    getTransfer: [],
  };
  return {
    calls,
    adapter: {
      startTransfer: (request) => {
        calls.startTransfer.push(request.homeTransactionId);
        return adapter.startTransfer(request);
      },
      acceptParty: (transferId) => {
        calls.acceptParty.push(transferId);
        return adapter.acceptParty(transferId);
      },
      acceptQuote: (transferId) => {
        calls.acceptQuote.push(transferId);
        return adapter.acceptQuote(transferId);
      },
      getTransfer: (transferId) => {
        calls.getTransfer.push(transferId);
        return adapter.getTransfer(transferId);
      },
    },
  };
}

export interface TemporalForTests {
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

export async function connectTemporal(): Promise<TemporalForTests> {
  useQuietTemporalRuntime();
  const address = config().temporal.address;
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    connection,
    nativeConnection,
    client: apiTemporalClient(connection, config().temporal.namespace),
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/**
 * The SDK's log lines through our logger (silent in tests unless TEST_LOG_LEVEL is set), as the worker's main
 * does, instead of the SDK's default console output. Installed before the file's first Temporal connection,
 * which would otherwise install the default runtime; a second call in the same file finds it installed.
 */
function useQuietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: temporalLoggerFor(logger) });
  } catch {
    // Installed already, by an earlier connectTemporal() of this test file.
  }
}

export function payoutWorker(
  temporal: TemporalForTests,
  taskQueue: string,
  dependencies: Omit<ActivityDependencies, 'settings'> & { settings?: Partial<ActivityDependencies['settings']> },
): Promise<Worker> {
  const bundle = process.env.WORKFLOW_BUNDLE_PATH;
  if (!bundle) throw new Error('WORKFLOW_BUNDLE_PATH is not set: run the tests through jest (test/setup/services.ts)');
  return createPayoutWorker({
    connection: temporal.nativeConnection,
    namespace: config().temporal.namespace,
    taskQueue,
    workflowBundlePath: bundle,
    dependencies: {
      temporal: { handle: { client: temporal.client, connection: temporal.connection }, taskQueue },
      ...dependencies,
      settings: {
        maxFeeMinorUnits: config().mojaloop.maxFeeMinorUnits,
        payoutConcurrency: config().bulk.payoutConcurrency,
        pageSize: config().bulk.pageSize,
        decisionKeys: decisionPublicKeys(config().auth.secretKey),
        ...dependencies.settings,
      },
    },
  });
}

/** A task queue of its own per test file, so workers of different files never take each other's tasks. */
export function uniqueTaskQueue(name: string): string {
  return `${config().temporal.taskQueue}-${name}-${randomUUID().slice(0, 8)}`;
}

export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** What the bulk's workflow ended with (waits for it). */
export function bulkWorkflowResult(temporal: TemporalForTests, bulkId: string): Promise<BulkPayoutResult> {
  return temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulkId)).result();
}

export * from './payoutFixtures';
