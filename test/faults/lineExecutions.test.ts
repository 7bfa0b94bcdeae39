/**
 * Two executions of one line (a line workflow started by hand beside the bulk's, a stale attempt's workflow still
 * running after a retry, a local activity past its timeout still running in the worker), interleaved for real: one
 * is held at a barrier inside a step, after it has read the line, while the other moves the line on; then it goes on.
 * The held one must change nothing: no record, no send, no failure. Real peer, real database; the steps are run as
 * the worker runs them (MockActivityEnvironment gives them their activity context) and called with the transfer id
 * alone, as a step recorded before refs is: each step pins its writes to what it read.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { type ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { PayoutAdapter } from '../../activities';
import { createTransferActivities } from '../../activities/payouts/transferActivities';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { homeTransactionIdFor } from '../../src/payouts/rules/bulkDecisionRules';
import { retryFailedLines } from '../../src/payouts/store/bulkStore';
import { forgetPayeeDiscovery, settleTransfer } from '../../src/payouts/store/lineStore';
import { type Barrier, barrier } from '../support/barrier';
import {
  accountMoney,
  adapterClient,
  connectTemporal,
  countingAdapter,
  createPayerAccount,
  insertBulk,
  type InsertedBulk,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
} from '../support/payoutHarness';
import { expectJournalAgrees } from '../support/journalInvariant';
import { countCommittedTransfersByHomeTransactionId } from '../support/peerLedger';
import { uniqueMsisdns } from '../support/payees';
import { type LineRef, workflowIdForLine } from '../../src/payouts/contract';

const TEST_OPERATOR = { kind: 'operator', operator: 'test', identity: null, requestId: null } as const;

/** A step held inside a call: `reached` opens when the call arrives, the call goes on once `release` is opened. */
interface Hold {
  reached: Barrier;
  release: Barrier;
}

function newHold(): Hold {
  return { reached: barrier(), release: barrier() };
}

/** The adapter, whose next call of a method armed with holdNext waits at that hold. */
function holdingAdapter(base: PayoutAdapter): { adapter: PayoutAdapter; holdNext(method: keyof PayoutAdapter): Hold } {
  const holds = new Map<keyof PayoutAdapter, Hold>();
  async function through<T>(method: keyof PayoutAdapter, call: () => Promise<T>): Promise<T> {
    const hold = holds.get(method);
    if (hold) {
      holds.delete(method);
      hold.reached.open();
      await hold.release.promise;
    }
    return call();
  }
  return {
    holdNext(method) {
      const hold = newHold();
      holds.set(method, hold);
      return hold;
    },
    adapter: {
      startTransfer: (request) => through('startTransfer', () => base.startTransfer(request)),
      acceptParty: (transferId) => through('acceptParty', () => base.acceptParty(transferId)),
      acceptQuote: (transferId) => through('acceptQuote', () => base.acceptQuote(transferId)),
      getTransfer: (transferId) => through('getTransfer', () => base.getTransfer(transferId)),
    },
  };
}

/**
 * The database, whose first transaction waits at `hold`: in the transfer step that is the send's claim, so the step
 * is held after it has read the line and before it claims the send.
 */
function holdingDb(base: Knex, hold: Hold): Knex {
  let held = false;
  return new Proxy(base, {
    get(target, property, receiver) {
      if (property !== 'transaction' || held) return Reflect.get(target, property, receiver);
      held = true;
      return async (...args: Parameters<Knex['transaction']>) => {
        hold.reached.open();
        await hold.release.promise;
        return target.transaction(...args);
      };
    },
  });
}

describe('two executions of one line: the one whose line moved on changes nothing', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  const taskQueue = uniqueTaskQueue('line-executions');
  let calls: ReturnType<typeof countingAdapter>['calls'];
  let holding: ReturnType<typeof holdingAdapter>;

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    const counting = countingAdapter(adapterClient(peer.outboundUrl));
    calls = counting.calls;
    holding = holdingAdapter(counting.adapter);
  });

  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  function steps(knex: Knex = db()) {
    return createTransferActivities({
      db: knex,
      adapter: holding.adapter,
      settings: { maxFeeMinorUnits: config().mojaloop.maxFeeMinorUnits, payoutConcurrency: 1, pageSize: 10 },
    });
  }

  /** Runs a step as the worker does (its activity context), with the transfer id as its argument. */
  function run<R>(step: (transferId: string) => Promise<R>, transferId: string): Promise<R> {
    return new MockActivityEnvironment().run(step, transferId);
  }

  /** Runs a step with a LineRef, as the line workflow calls it. */
  function runWithRef<R>(step: (ref: LineRef) => Promise<R>, ref: LineRef): Promise<R> {
    return new MockActivityEnvironment().run(step, ref);
  }

  async function lineOf(transferId: string) {
    return db()('individual_transfers').where('transfer_id', transferId).first();
  }

  async function oneLine(msisdn: string, amount: bigint) {
    const payer = await createPayerAccount(db(), 100_000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn, amount }], { state: 'PROCESSING' });
    return { payer, bulk, transferId: bulk.transferIds[0]! };
  }

  /** As another execution's transfer step leaves the line once it has claimed the send (its outcome unknown). */
  async function sentByAnotherExecution(transferId: string, sent: { mojaloopTransferId: string; quoteId: string }) {
    const xof = (value: string) => ({ amount: value, currency: 'XOF' });
    const line = await lineOf(transferId);
    await db()('individual_transfers')
      .where('transfer_id', transferId)
      .update({
        status: 'PROCESSING',
        mojaloop_transfer_id: sent.mojaloopTransferId,
        quote_id: sent.quoteId,
        quote_figures: JSON.stringify({
          transferAmount: xof(line.amount),
          payeeReceiveAmount: xof(line.amount),
          fee: xof('0'),
        }),
        transfer_sent_at: db().fn.now(),
        transfer_expiration: db().raw('now() + make_interval(secs => ?)', [config().mojaloop.transferExpiryMs / 1000]),
      });
    return lineOf(transferId);
  }

  /**
   * The line's attempt failed unsent (its workflow gave up), its bulk ended, and retry-failed made it attempt 2,
   * as an operator's retry does: from then on the line belongs to attempt 2's execution.
   */
  async function retriedAsAttempt2(bulk: InsertedBulk, transferId: string): Promise<void> {
    const failure = { status: 'FAILED', failureCode: 'switch_unavailable', failureMessage: 'gave up' } as const;
    expect(await settleTransfer(db(), transferId, failure, { onlyIfNotSent: true })).not.toBeNull();
    await db()('bulk_transfers').where('bulk_id', bulk.bulkId).update({ state: 'FAILED', completed_at: new Date() });
    expect(await retryFailedLines(db(), bulk.bulkId, { requestId: randomUUID(), by: TEST_OPERATOR })).toMatchObject({
      retried: 1,
    });
    expect(await lineOf(transferId)).toMatchObject({ status: 'PENDING', attempt: 2, mojaloop_transfer_id: null });
  }

  /** Attempt 2's own execution pays the line, once, under attempt 2's id at the switch. */
  async function attempt2PaysOnce(transferId: string): Promise<void> {
    await expect(run(steps().discoverPayee, transferId)).resolves.toMatchObject({ status: 'PROCESSING' });
    await expect(run(steps().requestQuote, transferId)).resolves.toMatchObject({ status: 'PROCESSING' });
    await expect(run(steps().confirmTransfer, transferId)).resolves.toEqual({ status: 'COMPLETED' });
    const committed = await countCommittedTransfersByHomeTransactionId([
      homeTransactionIdFor(transferId, 1),
      homeTransactionIdFor(transferId, 2),
    ]);
    expect(committed.get(homeTransactionIdFor(transferId, 1))).toBe(0);
    expect(committed.get(homeTransactionIdFor(transferId, 2))).toBe(1);
  }

  describe('discovery', () => {
    it('a payee refused after another execution has sent the line leaves it sent: nothing failed, nothing released', async () => {
      const { payer, transferId } = await oneLine('22990000404', 5000n);
      const hold = holding.holdNext('startTransfer');
      const stale = run(steps().discoverPayee, transferId);
      await hold.reached.promise;
      const sent = await sentByAnotherExecution(transferId, {
        mojaloopTransferId: randomUUID(),
        quoteId: randomUUID(),
      });

      hold.release.open();

      // The switch's 3204 is for a lookup this execution made; the line was sent by the other one meanwhile.
      await expect(stale).resolves.toMatchObject({
        status: 'PROCESSING',
        mojaloopTransferId: sent.mojaloop_transfer_id,
      });
      expect(await lineOf(transferId)).toEqual(sent);
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 5000n });
      await expectJournalAgrees(db(), payer.accountId);
    });

    it('a stale discovery of attempt 1 records nothing on the line retried as attempt 2, which pays once under its own id', async () => {
      const [msisdn] = uniqueMsisdns(1);
      const { payer, bulk, transferId } = await oneLine(msisdn, 6000n);
      const hold = holding.holdNext('startTransfer');
      const stale = run(steps().discoverPayee, transferId);
      await hold.reached.promise;
      await retriedAsAttempt2(bulk, transferId);
      const retried = await lineOf(transferId);

      hold.release.open();

      await expect(stale).rejects.toMatchObject({ type: 'LineMovedOn' });
      expect(await lineOf(transferId)).toEqual(retried);
      await attempt2PaysOnce(transferId);
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n - 6000n, reserved: 0n });
      await expectJournalAgrees(db(), payer.accountId);
    });
  });

  describe('quote', () => {
    it('a quote refused after another execution has sent the line leaves it sent: nothing failed, nothing released', async () => {
      const { payer, transferId } = await oneLine('22990000503', 5000n);
      await expect(run(steps().discoverPayee, transferId)).resolves.toMatchObject({ status: 'PROCESSING' });
      const discovered = await lineOf(transferId);
      const hold = holding.holdNext('acceptParty');
      const stale = run(steps().requestQuote, transferId);
      await hold.reached.promise;
      // The other execution found the same adapter transfer recorded, had it quoted and claimed the send.
      const sent = await sentByAnotherExecution(transferId, {
        mojaloopTransferId: discovered.mojaloop_transfer_id,
        quoteId: randomUUID(),
      });

      hold.release.open();

      await expect(stale).resolves.toEqual({ status: 'PROCESSING', quoteId: sent.quote_id });
      expect(await lineOf(transferId)).toEqual(sent);
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 5000n });
      await expectJournalAgrees(db(), payer.accountId);
    });

    it('a stale quote of an adapter transfer another execution abandoned fails nothing (the quote is not the payment)', async () => {
      const { payer, transferId } = await oneLine('22990000410', 12000n);
      await expect(run(steps().discoverPayee, transferId)).resolves.toMatchObject({ status: 'PROCESSING' });
      const first = await lineOf(transferId);
      const hold = holding.holdNext('acceptParty');
      const stale = run(steps().requestQuote, transferId);
      await hold.reached.promise;
      // The other execution got no usable quote for it: it forgot that adapter transfer and found the payee again.
      expect(await forgetPayeeDiscovery(db(), transferId, first.mojaloop_transfer_id)).toBe(true);
      await expect(run(steps().discoverPayee, transferId)).resolves.toMatchObject({ status: 'PROCESSING' });
      const rediscovered = await lineOf(transferId);
      expect(rediscovered.mojaloop_transfer_id).not.toBe(first.mojaloop_transfer_id);

      hold.release.open();

      await expect(stale).rejects.toMatchObject({ type: 'LineMovedOn' });
      expect(await lineOf(transferId)).toEqual(rediscovered);
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 12000n });
      await expectJournalAgrees(db(), payer.accountId);
    });
  });

  describe('transfer', () => {
    it("a stale transfer step of attempt 1 never sends attempt 1's adapter transfer once the line is attempt 2", async () => {
      const [msisdn] = uniqueMsisdns(1);
      const { payer, bulk, transferId } = await oneLine(msisdn, 7000n);
      await expect(run(steps().discoverPayee, transferId)).resolves.toMatchObject({ status: 'PROCESSING' });
      await expect(run(steps().requestQuote, transferId)).resolves.toMatchObject({ status: 'PROCESSING' });
      const attempt1 = await lineOf(transferId);
      const hold = newHold();
      // Held after reading attempt 1's quoted line, before claiming the send.
      const stale = run(steps(holdingDb(db(), hold)).confirmTransfer, transferId);
      await hold.reached.promise;
      await retriedAsAttempt2(bulk, transferId);
      await expect(run(steps().discoverPayee, transferId)).resolves.toMatchObject({ status: 'PROCESSING' });
      await expect(run(steps().requestQuote, transferId)).resolves.toMatchObject({ status: 'PROCESSING' });
      const attempt2 = await lineOf(transferId);
      expect(attempt2).toMatchObject({ attempt: 2, status: 'PROCESSING', transfer_sent_at: null });

      hold.release.open();

      await expect(stale).rejects.toMatchObject({ type: 'LineMovedOn' });
      expect(calls.acceptQuote).not.toContain(attempt1.mojaloop_transfer_id);
      expect(await lineOf(transferId)).toEqual(attempt2);
      await expect(run(steps().confirmTransfer, transferId)).resolves.toEqual({ status: 'COMPLETED' });
      const committed = await countCommittedTransfersByHomeTransactionId([
        homeTransactionIdFor(transferId, 1),
        homeTransactionIdFor(transferId, 2),
      ]);
      expect(committed.get(homeTransactionIdFor(transferId, 1))).toBe(0);
      expect(committed.get(homeTransactionIdFor(transferId, 2))).toBe(1);
      expect(await lineOf(transferId)).toMatchObject({
        status: 'COMPLETED',
        mojaloop_transfer_id: attempt2.mojaloop_transfer_id,
      });
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n - 7000n, reserved: 0n });
      await expectJournalAgrees(db(), payer.accountId);
    });
  });

  describe('a step given what it acts on (as the line workflow gives it)', () => {
    it("the transfer step given attempt 1's adapter transfer and quote sends nothing once the line names others", async () => {
      const [msisdn] = uniqueMsisdns(1);
      const { payer, bulk, transferId } = await oneLine(msisdn, 2000n);
      const discovered = await run(steps().discoverPayee, transferId);
      const quoted = await run(steps().requestQuote, transferId);
      expect(discovered).toMatchObject({ status: 'PROCESSING', attempt: 1 });
      expect(quoted).toMatchObject({ status: 'PROCESSING' });
      const attempt1: LineRef = {
        transferId,
        attempt: 1,
        mojaloopTransferId: (discovered as { mojaloopTransferId: string }).mojaloopTransferId,
        quoteId: (quoted as { quoteId: string }).quoteId,
      };
      await retriedAsAttempt2(bulk, transferId);
      await expect(run(steps().discoverPayee, transferId)).resolves.toMatchObject({ status: 'PROCESSING', attempt: 2 });
      await expect(run(steps().requestQuote, transferId)).resolves.toMatchObject({ status: 'PROCESSING' });
      const attempt2 = await lineOf(transferId);
      const sendsBefore = calls.acceptQuote.length;

      await expect(runWithRef(steps().confirmTransfer, attempt1)).rejects.toMatchObject({ type: 'LineMovedOn' });
      // Attempt 2 itself, with a quote it did not record: nothing sent either.
      const otherQuote = { ...attempt1, attempt: 2, mojaloopTransferId: attempt2.mojaloop_transfer_id, quoteId: 'q' };
      await expect(runWithRef(steps().confirmTransfer, otherQuote)).rejects.toMatchObject({ type: 'LineMovedOn' });

      expect(calls.acceptQuote.length).toBe(sendsBefore);
      expect(await lineOf(transferId)).toEqual(attempt2);
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 2000n });
      await expectJournalAgrees(db(), payer.accountId);
    });
  });

  describe('the line workflow', () => {
    it('a line workflow of attempt 1 started once the line is attempt 2 ends LineMovedOn and changes nothing', async () => {
      const [msisdn] = uniqueMsisdns(1);
      const { payer, bulk, transferId } = await oneLine(msisdn, 3000n);
      await retriedAsAttempt2(bulk, transferId);
      const retried = await lineOf(transferId);
      const worker = await payoutWorker(temporal, taskQueue, { db: db(), adapter: holding.adapter });

      // As a stale attempt's workflow, or one started again by hand with the input of attempt 1.
      const failure = await worker
        .runUntil(
          temporal.client.workflow.execute('payoutTransferWorkflow', {
            workflowId: workflowIdForLine(bulk.bulkId, 1, 1),
            taskQueue,
            args: [{ transferId, attempt: 1 }],
          }),
        )
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect(((failure as WorkflowFailedError).cause as ApplicationFailure).type).toBe('LineMovedOn');
      expect(calls.startTransfer.filter((id) => id.startsWith(transferId))).toEqual([]);
      expect(await lineOf(transferId)).toEqual(retried);
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 3000n });
      await expectJournalAgrees(db(), payer.accountId);
    });
  });

  it('retry-failed clears what belonged to the previous attempt: its send, its quote and its name check', async () => {
    const [msisdn] = uniqueMsisdns(1);
    const { payer, bulk, transferId } = await oneLine(msisdn, 4000n);
    const sent = await sentByAnotherExecution(transferId, { mojaloopTransferId: randomUUID(), quoteId: randomUUID() });
    await db()('individual_transfers').where('transfer_id', transferId).update({
      expected_payee_name: 'Koffi Mensah',
      payee_name: 'K. Mensah',
      name_match_score: 0.7,
      hold_reason: 'name_mismatch',
      held_at: sent.transfer_sent_at,
      hold_deadline: sent.transfer_sent_at,
      hold_decision: 'released',
      hold_decided_at: sent.transfer_sent_at,
      released_payee_name: 'K. Mensah',
    });
    // The switch aborted the send: definitely not committed, worth paying again.
    const aborted = { status: 'FAILED', failureCode: 'transfer_aborted', failureMessage: 'aborted' } as const;
    expect(await settleTransfer(db(), transferId, aborted)).not.toBeNull();
    await db()('bulk_transfers').where('bulk_id', bulk.bulkId).update({ state: 'FAILED', completed_at: new Date() });

    await retryFailedLines(db(), bulk.bulkId, { requestId: randomUUID(), by: TEST_OPERATOR });

    expect(await lineOf(transferId)).toMatchObject({
      status: 'PENDING',
      attempt: 2,
      mojaloop_transfer_id: null,
      quote_id: null,
      quote_figures: null,
      transfer_sent_at: null,
      transfer_expiration: null,
      payee_name: null,
      name_match_score: null,
      hold_reason: null,
      held_at: null,
      hold_deadline: null,
      hold_decision: null,
      hold_decided_at: null,
      // The line's own: the name expected, and the owner a GESTIONNAIRE found to be the pensioner.
      expected_payee_name: 'Koffi Mensah',
      released_payee_name: 'K. Mensah',
    });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 4000n });
    await expectJournalAgrees(db(), payer.accountId);
  });
});
