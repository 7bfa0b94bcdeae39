/**
 * The bulk workflow's logic, fast and deterministic: the real workflows (bundled from workflows/ once per jest run,
 * by the global setup) on a local Temporal dev server of this file's own, with every activity mocked in memory
 * (test/workflow/support/memoryLedger.ts). The real line workflow runs each line; its mocked steps decide the line's
 * outcome, and barriers hold a line in flight.
 * Deadlines are inputs set short; a test waits for the workflow's outcome, never for something inside a time window.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, Worker } from '@temporalio/worker';
import { logger } from '../../src/logging/logger';
import { temporalLoggerFor } from '../../src/logging/temporalLogger';
import { devServerDynamicConfigArgs } from '../../temporal/dynamicConfig';
import { workflowIdForBulk } from '../../src/domain/payoutWorkflows';
import { ensureTemporalCli } from '../../temporal/cli';
import {
  approveUpdate,
  BULK_ID,
  type BulkPayoutResult,
  cancelUpdate,
  ORGANIZATION_CODE,
  PAYEE_IDENTIFIER,
  PAYOUT_STATUS,
} from '../../workflows/definitions';
import type { bulkPayoutWorkflow } from '../../workflows/bulkPayoutWorkflow';
import { barrier } from '../support/barrier';
import { approvalBy, type MemoryBulk, MemoryLedger, until } from './support/memoryLedger';
import type { StandInActivities } from './support/lineStandInWorkflows';

/** A bundle built once per jest run by the global setup (test/setup/services.ts), never by a test file. */
function builtBundle(codePath: string | undefined): { codePath: string } {
  if (!codePath) throw new Error('No workflow bundle: run the tests through jest (test/setup/services.ts builds it)');
  return { codePath };
}

describe('bulk payout workflow (activities mocked)', () => {
  let env: TestWorkflowEnvironment;
  const ledger = new MemoryLedger();
  const taskQueue = `bulk-wf-${randomUUID().slice(0, 8)}`;
  const standInQueue = `bulk-wf-standin-${randomUUID().slice(0, 8)}`;
  const standIn = {
    unresolvedOnce: new Set<string>(),
    held: new Map<string, Promise<void>>(),
    holding: new Set<string>(),
  };
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
    for (const [queue, workflowBundle, activities] of [
      [taskQueue, real, ledger.activities()],
      [standInQueue, standInBundle, { ...ledger.activities(), ...standInActivities }],
    ] as const) {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: queue,
        workflowBundle,
        activities,
      });
      workers.push({ worker, running: worker.run() });
    }
  });

  afterAll(async () => {
    for (const { worker } of workers) worker.shutdown();
    await Promise.all(workers.map(({ running }) => running.catch(() => undefined)));
    await env?.teardown();
  });

  function start(bulk: MemoryBulk, queue = taskQueue) {
    return env.client.workflow.start<typeof bulkPayoutWorkflow>('bulkPayoutWorkflow', {
      workflowId: workflowIdForBulk(bulk.bulkId),
      taskQueue: queue,
      args: [{ bulkId: bulk.bulkId }],
    });
  }

  function statuses(bulk: MemoryBulk): string[] {
    return bulk.lines.map((line) => (line.status === 'FAILED' ? `FAILED ${line.failureCode}` : line.status));
  }

  describe('approval', () => {
    it('ends the bulk FAILED when nobody decides before the deadline: expireApproval, nothing sent', async () => {
      const bulk = ledger.createBulk({ lines: 3, requiresApproval: true, approvalMs: 300 });
      const result = await (await start(bulk)).result();

      expect(result).toEqual<BulkPayoutResult>({
        bulkId: bulk.bulkId,
        state: 'FAILED',
        total: 3,
        completed: 0,
        failed: 3,
      });
      expect(ledger.callsOf('expireApproval', bulk.bulkId)).toBe(1);
      expect(bulk.endedUnapproved).toBe('expired');
      expect(statuses(bulk)).toEqual(['FAILED approval_expired', 'FAILED approval_expired', 'FAILED approval_expired']);
      expect(bulk.lines.every((line) => ledger.callsOf('discoverPayee', line.transferId) === 0)).toBe(true);
    });

    it('pays the bulk approved before its deadline; the deadline never fires', async () => {
      const bulk = ledger.createBulk({ lines: 3, requiresApproval: true, approvalMs: 60_000, createdById: 1 });
      const handle = await start(bulk);
      await expect(handle.executeUpdate(approveUpdate, { args: [approvalBy(2, bulk.bulkId)] })).resolves.toEqual({
        state: 'PROCESSING',
      });

      expect(await handle.result()).toEqual<BulkPayoutResult>({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 3,
        completed: 3,
        failed: 0,
      });
      expect(ledger.callsOf('expireApproval', bulk.bulkId)).toBe(0);
      expect(bulk.approvedById).toBe(2);
      expect(bulk.lines.map((line) => line.sends)).toEqual([1, 1, 1]);
    });

    it("refuses an approval by the bulk's creator, and the deadline still ends it", async () => {
      const bulk = ledger.createBulk({ lines: 1, requiresApproval: true, approvalMs: 1_000, createdById: 7 });
      const handle = await start(bulk);
      const refused = await handle
        .executeUpdate(approveUpdate, { args: [approvalBy(7, bulk.bulkId)] })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('approval_by_creator');
      expect((await handle.result()).state).toBe('FAILED');
      expect(bulk.endedUnapproved).toBe('expired');
    });

    it('a cancel whose activity keeps failing fails decision_failed after a few attempts and leaves the bulk as it was: approved, it is paid', async () => {
      const bulk = ledger.createBulk({ lines: 2, requiresApproval: true, approvalMs: 600_000, createdById: 1 });
      ledger.failing.add(`cancelBulk ${bulk.bulkId}`);
      const handle = await start(bulk);
      await until(() => bulk.state === 'AWAITING_APPROVAL', 'awaiting approval');
      const failed = await handle
        .executeUpdate(cancelUpdate, { args: [{ operator: 'workflow-test' }] })
        .catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((failed as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('decision_failed');
      expect(ledger.callsOf('cancelBulk', bulk.bulkId)).toBe(5);
      expect(bulk.cancelled).toBe(false);

      await handle.executeUpdate(approveUpdate, { args: [approvalBy(2, bulk.bulkId)] });
      expect((await handle.result()).state).toBe('COMPLETED');
      expect(bulk.lines.map((line) => line.sends)).toEqual([1, 1]);
    });

    /** Exactly one of the two outcomes, the same in the ledger and in the workflow's result: never both. */
    function expectOneOutcome(bulk: MemoryBulk, approved: boolean, result: BulkPayoutResult): void {
      if (approved) {
        expect(bulk.approvedById).toBe(2);
        expect(bulk.endedUnapproved).toBeNull();
        expect(result.state).toBe('COMPLETED');
        expect(bulk.lines.map((line) => line.sends)).toEqual(bulk.lines.map(() => 1));
      } else {
        expect(bulk.approvedById).toBeNull();
        expect(bulk.endedUnapproved).toBe('expired');
        expect(result.state).toBe('FAILED');
        expect(bulk.lines.every((line) => line.sends === 0 && line.failureCode === 'approval_expired')).toBe(true);
      }
    }

    /** Whether the approval was taken: refused by the workflow, or sent to a workflow already closed, it was not. */
    async function approveOutcome(promise: Promise<unknown>): Promise<boolean> {
      try {
        await promise;
        return true;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        if (!(error instanceof WorkflowUpdateFailedError)) throw error;
        expect((error.cause as ApplicationFailure).type).toBe('not_awaiting_approval');
        return false;
      }
    }

    it('approve sent while the expiry is being recorded (held): the approval is taken first, the expiry changes nothing', async () => {
      const bulk = ledger.createBulk({ lines: 2, requiresApproval: true, approvalMs: 300 });
      const hold = barrier();
      const reached = barrier();
      const { queue } = withHeldExpiry(bulk.bulkId, hold.promise, reached.open);
      const handle = await start(bulk, queue);
      await reached.promise;
      const approving = approveOutcome(handle.executeUpdate(approveUpdate, { args: [approvalBy(2, bulk.bulkId)] }));
      await until(() => bulk.approvedById !== null, 'the approval recorded');
      hold.open();
      const approved = await approving;
      expect(approved).toBe(true);
      expectOneOutcome(bulk, approved, await handle.result());
    });

    it('approve sent once the expiry is recorded: refused, the bulk ends FAILED', async () => {
      const bulk = ledger.createBulk({ lines: 2, requiresApproval: true, approvalMs: 300 });
      const hold = barrier();
      const reached = barrier();
      const { queue, recorded } = withHeldExpiry(bulk.bulkId, hold.promise, reached.open);
      const handle = await start(bulk, queue);
      await reached.promise;
      hold.open();
      await recorded;
      const approved = await approveOutcome(
        handle.executeUpdate(approveUpdate, { args: [approvalBy(2, bulk.bulkId)] }),
      );
      expect(approved).toBe(false);
      expectOneOutcome(bulk, approved, await handle.result());
    });

    it.each([-40, -15, -5, 0, 5, 15, 40])(
      'approve racing the deadline (sent %i ms from it): exactly one outcome',
      async (offsetMs) => {
        const bulk = ledger.createBulk({ lines: 2, requiresApproval: true, approvalMs: 400 });
        const handle = await start(bulk);
        await until(() => bulk.approvalDeadline !== null, 'the deadline fixed');
        const sendAt = new Date(bulk.approvalDeadline!).getTime() + offsetMs;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, sendAt - Date.now())));
        const approved = await approveOutcome(
          handle.executeUpdate(approveUpdate, { args: [approvalBy(2, bulk.bulkId)] }),
        );
        expectOneOutcome(bulk, approved, await handle.result());
      },
    );

    /** The expiry activity held on `hold` (on a queue of its own with a worker whose expireApproval waits). */
    function withHeldExpiry(
      bulkId: string,
      hold: Promise<void>,
      onReached: () => void,
    ): { queue: string; recorded: Promise<void> } {
      const done = barrier();
      heldExpiries.set(bulkId, { hold, onReached, done: done.open });
      return { queue: heldExpiryQueue, recorded: done.promise };
    }
  });

  describe('cancel', () => {
    it.each([3, 9, 17])(
      'cancel sent while the runs continue as new every line (taken at line %i): nothing started after it, the bulk closes',
      async (atLine) => {
        const bulk = ledger.createBulk({ lines: 30, concurrency: 2, pageSize: 1 });
        const reached = barrier();
        ledger.script.set(bulk.lines[atLine - 1]!.transferId, {
          discover: async (line) => {
            reached.open();
            line.status = 'PROCESSING';
            return { status: 'PROCESSING' };
          },
        });
        const handle = await start(bulk);
        await reached.promise;
        const outcome = await handle.executeUpdate(cancelUpdate, { args: [{ operator: 'workflow-test' }] });
        const result = await handle.result();

        expect(result.state === 'COMPLETED' || result.state === 'FAILED').toBe(true);
        expect(result.completed + result.failed).toBe(30);
        expect(bulk.state).toBe(result.state);
        const cancelled = bulk.lines.filter((line) => line.failureCode === 'cancelled').length;
        expect(cancelled).toBeGreaterThan(0);
        expect(outcome.cancelled).toBeLessThanOrEqual(cancelled);
        expect(bulk.lines.every((line) => line.status === 'COMPLETED' || line.failureCode === 'cancelled')).toBe(true);

        // Over the whole chain of runs: no line's workflow was started after the cancel was accepted.
        const runs = await historiesOf(bulk.bulkId);
        expect(runs.length).toBeGreaterThan(1);
        const afterCancel: string[] = [];
        let accepted = false;
        for (const events of runs) {
          for (const event of events) {
            if (event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'cancel')
              accepted = true;
            if (accepted && event.startChildWorkflowExecutionInitiatedEventAttributes) {
              afterCancel.push(event.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? '?');
            }
          }
        }
        expect(accepted).toBe(true);
        expect(afterCancel).toEqual([]);
        // Each line that was paid had its workflow started (before the cancel), each line cancelled before its start has none.
        expect(bulk.lines.every((line) => line.sends <= 1)).toBe(true);
      },
    );
  });

  describe('a line giving up', () => {
    it('a step before sending failing every attempt (the adapter unreachable): the line fails switch_unavailable, unsent', async () => {
      const bulk = ledger.createBulk({
        lines: 2,
        lineRetry: { maximumAttempts: 3, initialIntervalMs: 10, maximumIntervalMs: 10 },
      });
      const lost = bulk.lines[0]!;
      ledger.script.set(lost.transferId, {
        discover: async () => {
          throw new Error('connect ECONNREFUSED (the adapter is down)');
        },
      });
      const result = await (await start(bulk)).result();

      expect(result).toEqual<BulkPayoutResult>({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 2,
        completed: 1,
        failed: 1,
      });
      expect(statuses(bulk)).toEqual(['FAILED switch_unavailable', 'COMPLETED']);
      expect(ledger.callsOf('discoverPayee', lost.transferId)).toBe(3);
      expect(ledger.callsOf('failTransfer', lost.transferId)).toBe(1);
      expect(lost.sends).toBe(0);
    });

    it('no quote after MAX_QUOTE_ROUNDS rounds: the line fails switch_unavailable, unsent', async () => {
      const bulk = ledger.createBulk({
        lines: 1,
        lineRetry: { maximumAttempts: 2, initialIntervalMs: 10, maximumIntervalMs: 10 },
      });
      const lost = bulk.lines[0]!;
      ledger.script.set(lost.transferId, { quote: async () => ({ status: 'REDISCOVER', reason: 'HTTP 503' }) });
      const result = await (await start(bulk)).result();

      expect(result).toEqual<BulkPayoutResult>({
        bulkId: bulk.bulkId,
        state: 'FAILED',
        total: 1,
        completed: 0,
        failed: 1,
      });
      expect(statuses(bulk)).toEqual(['FAILED switch_unavailable']);
      expect(ledger.callsOf('requestQuote', lost.transferId)).toBe(8);
      expect(ledger.callsOf('discoverPayee', lost.transferId)).toBe(8);
    });
  });

  describe('lines whose workflow fails (UNRESOLVED)', () => {
    it('after MAX_PASSES fails the unsent line line_unresolved and closes the bulk', async () => {
      const bulk = ledger.createBulk({ lines: 3 });
      const broken = bulk.lines[1]!;
      ledger.script.set(broken.transferId, {
        discover: async () => {
          throw ApplicationFailure.nonRetryable('No such transfer (a bug)', 'TransferNotFound');
        },
      });
      const result = await (await start(bulk)).result();

      expect(result).toEqual<BulkPayoutResult>({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 3,
        completed: 2,
        failed: 1,
      });
      expect(statuses(bulk)).toEqual(['COMPLETED', 'FAILED line_unresolved', 'COMPLETED']);
      expect(ledger.callsOf('discoverPayee', broken.transferId)).toBe(3); // one line workflow per pass
      expect(ledger.callsOf('failUnresolvedLines', bulk.bulkId)).toBe(1);
      expect(bulk.state).toBe('COMPLETED');
    });

    it('after MAX_PASSES with a SENT line unfinished, ends BulkUnfinished for a human to reconcile (nothing failed blindly)', async () => {
      const bulk = ledger.createBulk({ lines: 2 });
      const sent = bulk.lines[0]!;
      ledger.script.set(sent.transferId, {
        confirm: async (line) => {
          line.sent = true;
          throw ApplicationFailure.nonRetryable('The outcome cannot be learnt (a bug)', 'TransferNotQuoted');
        },
      });
      const failure = await (await start(bulk)).result().catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('BulkUnfinished');
      expect(cause.message).toMatch(/1 line\(s\) .* were sent .* a human must reconcile/);
      expect(statuses(bulk)).toEqual(['PROCESSING', 'COMPLETED']);
      expect(ledger.callsOf('confirmTransfer', sent.transferId)).toBe(3);
    });

    it('all lines failing every pass: all failed line_unresolved, the bulk ends FAILED', async () => {
      const bulk = ledger.createBulk({ lines: 2 });
      for (const line of bulk.lines) {
        ledger.script.set(line.transferId, {
          quote: async () => {
            throw ApplicationFailure.nonRetryable('Not payable now', 'BulkNotPayable');
          },
        });
      }
      const result = await (await start(bulk)).result();
      expect(result).toEqual<BulkPayoutResult>({
        bulkId: bulk.bulkId,
        state: 'FAILED',
        total: 2,
        completed: 0,
        failed: 2,
      });
      expect(statuses(bulk)).toEqual(['FAILED line_unresolved', 'FAILED line_unresolved']);
    });

    it('the next pass meets the same line id while the failed run has not closed: starts it again once it has', async () => {
      const bulk = ledger.createBulk({ lines: 3 });
      const line = bulk.lines[1]!;
      const hold = barrier();
      standIn.unresolvedOnce.add(line.transferId);
      standIn.held.set(line.transferId, hold.promise);
      const handle = await start(bulk, standInQueue);
      // The old run reported UNRESOLVED and stays open; the next pass tries the same id and finds it taken.
      await until(
        () => standIn.holding.has(line.transferId) && ledger.callsOf('transferOutcome', line.transferId) > 0,
        'the id collision',
      );
      hold.open();

      expect(await handle.result()).toEqual<BulkPayoutResult>({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 3,
        completed: 3,
        failed: 0,
      });
      expect(statuses(bulk)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    });
  });

  describe('restart', () => {
    it('a bulk terminated and started again while lines are in flight: each line paid once, the bulk closes', async () => {
      const bulk = ledger.createBulk({ lines: 4, concurrency: 2 });
      const hold = barrier();
      const held = new Set<number>();
      for (const line of bulk.lines.slice(0, 2)) {
        ledger.script.set(line.transferId, {
          confirm: async (current) => {
            held.add(current.lineNumber);
            await hold.promise;
            if (!current.sent) {
              current.sent = true;
              current.sends++;
            }
            return ledger.settle(current, { status: 'COMPLETED' }) as { status: 'COMPLETED' };
          },
        });
      }
      const first = await start(bulk);
      await until(() => held.size === 2, 'two lines held in flight');
      await first.terminate('workflow test: the bulk is restarted');
      const collisions = () =>
        bulk.lines.slice(0, 2).every((line) => ledger.callsOf('transferOutcome', line.transferId) > 0);
      const second = await env.client.workflow.start<typeof bulkPayoutWorkflow>('bulkPayoutWorkflow', {
        workflowId: workflowIdForBulk(bulk.bulkId),
        taskQueue,
        args: [{ bulkId: bulk.bulkId }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
      await until(collisions, 'the restarted bulk found both lines in flight');
      hold.open();

      expect(await second.result()).toEqual<BulkPayoutResult>({
        bulkId: bulk.bulkId,
        state: 'COMPLETED',
        total: 4,
        completed: 4,
        failed: 0,
      });
      expect(bulk.lines.map((line) => line.sends)).toEqual([1, 1, 1, 1]);
    });
  });

  /** The expiry held per bulk, for the race tests (see the worker on heldExpiryQueue). */
  const heldExpiries = new Map<string, { hold: Promise<void>; onReached: () => void; done: () => void }>();
  const heldExpiryQueue = `bulk-wf-expiry-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    const activities = ledger.activities();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: heldExpiryQueue,
      workflowBundle: builtBundle(process.env.WORKFLOW_BUNDLE_PATH),
      activities: {
        ...activities,
        async expireApproval(bulkId: string) {
          const held = heldExpiries.get(bulkId);
          held?.onReached();
          await held?.hold;
          await activities.expireApproval(bulkId);
          held?.done();
        },
      },
    });
    workers.push({ worker, running: worker.run() });
  });

  /** Every run of the bulk's workflow, first to last, as its history events. */
  async function historiesOf(bulkId: string): Promise<temporal.api.history.v1.IHistoryEvent[][]> {
    const workflowId = workflowIdForBulk(bulkId);
    const description = await env.client.workflow.getHandle(workflowId).describe();
    let runId: string | null | undefined = description.raw.workflowExecutionInfo?.firstRunId;
    const runs: temporal.api.history.v1.IHistoryEvent[][] = [];
    while (runId) {
      const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      const events = history.events ?? [];
      runs.push(events);
      runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    }
    return runs;
  }
});
