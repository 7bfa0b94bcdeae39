/**
 * The bulk workflow's decisions before payment, fast and deterministic: approval, its deadline and the races between
 * them, and a decision whose activity keeps failing. The real workflows on a local Temporal dev server of this file's
 * own, every activity mocked in memory (./support/bulkWorkflowHarness.ts); the rest of the bulk workflow's logic is
 * in bulkPayoutWorkflow.test.ts.
 * Deadlines are inputs set short; a test waits for the workflow's outcome, never for something inside a time window.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { type ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { approveUpdate, type BulkPayoutResult, cancelUpdate } from '../../src/payouts/contract';
import { barrier } from '../support/barrier';
import { bulkWorkflowHarness } from './support/bulkWorkflowHarness';
import { approvalBy, type MemoryBulk, until } from './support/memoryLedger';

describe('bulk payout workflow (activities mocked)', () => {
  const { ledger, heldExpiries, heldExpiryQueue, start, statuses } = bulkWorkflowHarness();

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
});
