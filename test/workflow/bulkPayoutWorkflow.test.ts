/**
 * The bulk workflow's logic, fast and deterministic: the real workflows (bundled from workflows/ once per jest run,
 * by the global setup) on a local Temporal dev server of this file's own, with every activity mocked in memory
 * (test/workflow/support/memoryLedger.ts, through ./support/bulkWorkflowHarness.ts). The real line workflow runs
 * each line; its mocked steps decide the line's outcome, and barriers hold a line in flight. Its decisions before
 * payment (approval, its deadline) are in bulkPayoutWorkflowApproval.test.ts, a file of its own so that the two run
 * side by side (`npm run test:fast`).
 * Deadlines are inputs set short; a test waits for the workflow's outcome, never for something inside a time window.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import { type BulkPayoutResult, cancelUpdate, workflowIdForBulk } from '../../src/payouts/contract';
import type { bulkPayoutWorkflow } from '../../workflows/payouts/bulkPayoutWorkflow';
import { barrier } from '../support/barrier';
import { bulkWorkflowHarness } from './support/bulkWorkflowHarness';
import { until } from './support/memoryLedger';

describe('bulk payout workflow (activities mocked)', () => {
  const { ledger, taskQueue, standInQueue, standIn, start, statuses, historiesOf, client } = bulkWorkflowHarness();

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
      const second = await client().workflow.start<typeof bulkPayoutWorkflow>('bulkPayoutWorkflow', {
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
});
