/**
 * What the bulk workflow test files share: a local Temporal dev server of the file's own (started in its
 * beforeAll), the real workflows run by workers whose activities are mocked in memory (./memoryLedger.ts), on three
 * task queues: the real bundle, the stand-in bundle (./lineStandInWorkflows.ts), and the real bundle with an
 * expireApproval a test can hold. Both bundles are built once per jest run by the global setup
 * (test/setup/services.ts), never by a test file. Call it once, at the top of the file's describe.
 */
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, Worker } from '@temporalio/worker';
import { logger } from '../../../src/logging/logger';
import { temporalLoggerFor } from '../../../src/logging/temporalLogger';
import { devServerDynamicConfigArgs } from '../../../temporal/dynamicConfig';
import { ensureTemporalCli } from '../../../temporal/cli';
import {
  BULK_ID,
  ORGANIZATION_CODE,
  PAYEE_IDENTIFIER,
  PAYOUT_STATUS,
  workflowIdForBulk,
} from '../../../src/payouts/contract';
import type { bulkPayoutWorkflow } from '../../../workflows/payouts/bulkPayoutWorkflow';
import { type MemoryBulk, MemoryLedger } from './memoryLedger';
import type { StandInActivities } from './lineStandInWorkflows';

/** A bundle built by the global setup, by the path it set in the environment. */
function builtBundle(codePath: string | undefined): { codePath: string } {
  if (!codePath) throw new Error('No workflow bundle: run the tests through jest (test/setup/services.ts builds it)');
  return { codePath };
}

export function bulkWorkflowHarness() {
  let env: TestWorkflowEnvironment | undefined;
  const ledger = new MemoryLedger();
  const taskQueue = `bulk-wf-${randomUUID().slice(0, 8)}`;
  const standInQueue = `bulk-wf-standin-${randomUUID().slice(0, 8)}`;
  const standIn = {
    unresolvedOnce: new Set<string>(),
    held: new Map<string, Promise<void>>(),
    holding: new Set<string>(),
  };
  /** The expiry held per bulk, for the race tests (see the worker on heldExpiryQueue). */
  const heldExpiries = new Map<string, { hold: Promise<void>; onReached: () => void; done: () => void }>();
  const heldExpiryQueue = `bulk-wf-expiry-${randomUUID().slice(0, 8)}`;
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];

  beforeAll(async () => {
    // The SDK's log lines through our logger (silent in tests unless TEST_LOG_LEVEL is set).
    Runtime.install({ logger: temporalLoggerFor(logger) });
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: ensureTemporalCli(() => undefined) },
        searchAttributes: [BULK_ID, ORGANIZATION_CODE, PAYEE_IDENTIFIER, PAYOUT_STATUS],
        log: { format: 'pretty', level: 'error' },
        // As the gateway's own dev server, plus: no minimal interval between runs of one workflow id (the server
        // otherwise delays a run that continued-as-new, or reuses an id, within 1 s of the last: a test here
        // continues as new every line), and one partition per task queue.
        extraArgs: [
          ...devServerDynamicConfigArgs(),
          '--dynamic-config-value',
          'history.workflowIdReuseMinimalInterval="0s"',
          '--dynamic-config-value',
          'matching.numTaskqueueReadPartitions=1',
          '--dynamic-config-value',
          'matching.numTaskqueueWritePartitions=1',
        ],
      },
    });
    const real = builtBundle(process.env.WORKFLOW_BUNDLE_PATH);
    const standInBundle = builtBundle(process.env.STAND_IN_WORKFLOW_BUNDLE_PATH);
    const standInActivities: StandInActivities = {
      async standInLine(transferId) {
        const line = ledger.lines.get(transferId)!;
        if (standIn.unresolvedOnce.delete(transferId)) return 'UNRESOLVED';
        // Found, then paid: as the real steps, through PROCESSING (the ledger refuses PENDING -> COMPLETED).
        line.status = 'PROCESSING';
        ledger.settle(line, { status: 'COMPLETED' });
        return 'COMPLETED';
      },
      async holdFailingLine(transferId) {
        standIn.holding.add(transferId);
        await standIn.held.get(transferId);
        standIn.holding.delete(transferId);
      },
    };
    const activities = ledger.activities();
    const heldExpiryActivities = {
      ...activities,
      async expireApproval(bulkId: string) {
        const held = heldExpiries.get(bulkId);
        held?.onReached();
        await held?.hold;
        await activities.expireApproval(bulkId);
        held?.done();
      },
    };
    for (const [queue, workflowBundle, queueActivities] of [
      [taskQueue, real, ledger.activities()],
      [standInQueue, standInBundle, { ...ledger.activities(), ...standInActivities }],
      [heldExpiryQueue, real, heldExpiryActivities],
    ] as const) {
      const worker = await Worker.create({
        connection: environment().nativeConnection,
        taskQueue: queue,
        workflowBundle,
        activities: queueActivities,
      });
      workers.push({ worker, running: worker.run() });
    }
  });

  afterAll(async () => {
    for (const { worker } of workers) worker.shutdown();
    await Promise.all(workers.map(({ running }) => running.catch(() => undefined)));
    await env?.teardown();
  });

  function environment(): TestWorkflowEnvironment {
    if (!env) throw new Error('The Temporal environment is started in beforeAll');
    return env;
  }

  function start(bulk: MemoryBulk, queue = taskQueue) {
    return environment().client.workflow.start<typeof bulkPayoutWorkflow>('bulkPayoutWorkflow', {
      workflowId: workflowIdForBulk(bulk.bulkId),
      taskQueue: queue,
      args: [{ bulkId: bulk.bulkId }],
    });
  }

  function statuses(bulk: MemoryBulk): string[] {
    return bulk.lines.map((line) => (line.status === 'FAILED' ? `FAILED ${line.failureCode}` : line.status));
  }

  /** Every run of the bulk's workflow, first to last, as its history events. */
  async function historiesOf(bulkId: string): Promise<temporal.api.history.v1.IHistoryEvent[][]> {
    const workflowId = workflowIdForBulk(bulkId);
    const { client } = environment();
    const description = await client.workflow.getHandle(workflowId).describe();
    let runId: string | null | undefined = description.raw.workflowExecutionInfo?.firstRunId;
    const runs: temporal.api.history.v1.IHistoryEvent[][] = [];
    while (runId) {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      const events = history.events ?? [];
      runs.push(events);
      runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    }
    return runs;
  }

  return {
    ledger,
    taskQueue,
    standInQueue,
    standIn,
    heldExpiries,
    heldExpiryQueue,
    start,
    statuses,
    historiesOf,
    /** The file's Temporal client (once beforeAll has run). */
    client: () => environment().client,
  };
}
