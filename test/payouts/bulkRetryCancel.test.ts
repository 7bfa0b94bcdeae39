/**
 * Retry-failed and cancel, end to end through the API's routes (Temporal updates, update-with-start for a closed
 * bulk) on the real Temporal dev server and the real Mojaloop peer, counting what the switch committed.
 * Peer payees: 22990000404 party not found (3204, permanent), 22990000403 the payee FSP rejects the transfer
 * (5104, worth retrying); other MSISDNs are paid.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type ApplicationFailure, Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { PayoutAdapter } from '../../activities';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { homeTransactionIdFor } from '../../src/payouts/rules/bulkDecisionRules';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { settleTransfer } from '../../src/payouts/store/lineStore';
import { actOnBulk, bulkDetails, createBulkTestApp } from '../support/bulkFixtures';
import { createUser, loginAs, type TestServer } from '../support/fixtures';
import { auditOf } from '../support/adminFixtures';
import {
  accountMoney,
  adapterClient,
  bulkWorkflowResult,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  linesOfBulk,
  type PayerAccount,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  waitFor,
} from '../support/payoutHarness';
import {
  countCommittedPaymentsByPayee,
  countCommittedTransfersByHomeTransactionId,
  readPeerLedger,
} from '../support/peerLedger';
import { ensureTemporalCli } from '../../temporal/cli';
import { barrier } from '../support/barrier';
import { expectJournalAgrees } from '../support/journalInvariant';
import { uniqueMsisdns } from '../support/payees';
import { workflowIdForBulk, workflowIdForLine } from '../../src/payouts/contract';

const execFileAsync = promisify(execFile);

interface Staff {
  gestionnaire: { id: number; token: string };
  superviseur: string;
}

describe('retry-failed and cancel', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  const taskQueue = uniqueTaskQueue('retry-cancel');
  let server: TestServer;

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    server = createBulkTestApp({}, taskQueue).server;
  });

  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  function worker(concurrency = 3, adapter: PayoutAdapter = adapterClient(peer.outboundUrl)): Promise<Worker> {
    return payoutWorker(temporal, taskQueue, { db: db(), adapter, settings: { payoutConcurrency: concurrency } });
  }

  /** Whether the bulk's only audit row was written in the transaction of a change made at `changedAt` (its now()). */
  async function auditedInTransactionOf(bulkId: string, changedAt: Date | undefined): Promise<boolean> {
    const audited = await auditOf('bulk', bulkId);
    return audited.length === 1 && audited[0]!.occurred_at.getTime() === changedAt?.getTime();
  }

  async function staffOf(payer: PayerAccount): Promise<Staff> {
    const gestionnaire = await createUser({ organizationId: payer.organizationId, role: 'GESTIONNAIRE' });
    const superviseur = await createUser({ organizationId: payer.organizationId, role: 'SUPERVISEUR' });
    return {
      gestionnaire: {
        id: gestionnaire.user.id,
        token: await loginAs(server, gestionnaire.email, gestionnaire.password),
      },
      superviseur: await loginAs(server, superviseur.email, superviseur.password),
    };
  }

  it('pays again only the lines failed for a retryable reason, as new attempts, after reserving them again; never a paid line, never a 3204', async () => {
    const [paid, unreachable] = uniqueMsisdns(2);
    const amounts = { paid: 41000n, notFound: 7000n, rejected: 9000n, unreachable: 13000n };
    const total = amounts.paid + amounts.notFound + amounts.rejected + amounts.unreachable;
    const payer = await createPayerAccount(db(), total);
    const staff = await staffOf(payer);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: paid, amount: amounts.paid },
      { msisdn: '22990000404', amount: amounts.notFound },
      { msisdn: '22990000403', amount: amounts.rejected },
      { msisdn: unreachable, amount: amounts.unreachable },
    ]);
    const [paidId, notFoundId, rejectedId, unreachableId] = bulk.transferIds as [string, string, string, string];
    // Line 4 failed as a line does when the switch stayed unreachable for all its retries (the workflow's giveUp).
    await settleTransfer(
      db(),
      unreachableId,
      { status: 'FAILED', failureCode: 'switch_unavailable', failureMessage: 'The Mojaloop switch stayed unreachable' },
      { onlyIfNotSent: true },
    );

    // Funds held for another bulk of the fund, not started: available becomes short of what the retry needs.
    const [otherPayee] = uniqueMsisdns(1);
    const other = await insertBulk(db(), payer, [{ msisdn: otherPayee, amount: amounts.notFound + 1000n }]);

    await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toMatchObject({
        state: 'COMPLETED',
        completed: 1,
        failed: 3,
      });
      expect(await accountMoney(db(), payer.accountId)).toEqual({
        balance: total - amounts.paid,
        reserved: amounts.notFound + 1000n,
      });
      await expectJournalAgrees(db(), payer.accountId);

      await actOnBulk(server, 'retry-failed', bulk.bulkId, staff.superviseur, 403);
      const outsider = await staffOf(await createPayerAccount(db(), 1000n));
      await actOnBulk(server, 'retry-failed', bulk.bulkId, outsider.gestionnaire.token, 404);

      // Short of funds: refused, nothing changed.
      const short = await actOnBulk(server, 'retry-failed', bulk.bulkId, staff.gestionnaire.token, 422);
      expect(short.body.error).toMatchObject({
        code: 'insufficient_funds',
        details: {
          required: String(amounts.rejected + amounts.unreachable),
          available: String(amounts.rejected + amounts.unreachable - 1000n),
        },
      });
      expect((await linesOfBulk(db(), bulk.bulkId)).map((line) => [line.status, line.attempt])).toEqual([
        ['COMPLETED', 1],
        ['FAILED', 1],
        ['FAILED', 1],
        ['FAILED', 1],
      ]);
      expect(await db()('transfer_attempts').whereIn('transfer_id', bulk.transferIds)).toHaveLength(0);
      expect(await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('state')).toEqual({ state: 'COMPLETED' });

      // The other bulk is cancelled before it ever started (its workflow is started to take the cancel): funds released.
      const cancelled = await actOnBulk(server, 'cancel', other.bulkId, staff.gestionnaire.token, 202);
      expect(cancelled.body).toMatchObject({
        cancelled_transfers: 1,
        released_amount: Number(amounts.notFound + 1000n),
      });
      expect(await bulkWorkflowResult(temporal, other.bulkId)).toMatchObject({
        state: 'FAILED',
        completed: 0,
        failed: 1,
      });
      expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: total - amounts.paid, reserved: 0n });
      await expectJournalAgrees(db(), payer.accountId);

      const retried = await actOnBulk(server, 'retry-failed', bulk.bulkId, staff.gestionnaire.token, 202);
      expect(retried.body).toMatchObject({
        state: 'PROCESSING',
        retried_transfers: 2,
        reserved_amount: Number(amounts.rejected + amounts.unreachable),
      });
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toMatchObject({
        state: 'COMPLETED',
        total: 4,
        completed: 2,
        failed: 2,
      });
      // Each accepted action is in the audit log, with its request; the refused retries are not.
      expect(await auditOf('bulk', other.bulkId)).toEqual([
        expect.objectContaining({
          kind: 'bulk.cancelled',
          actor_user_id: staff.gestionnaire.id,
          after: { cancelled_transfers: 1, released_amount: Number(amounts.notFound + 1000n) },
          request_id: cancelled.headers['x-request-id'],
        }),
      ]);
      expect(await auditOf('bulk', bulk.bulkId)).toEqual([
        expect.objectContaining({
          kind: 'bulk.retried',
          actor_user_id: staff.gestionnaire.id,
          before: { state: 'COMPLETED' },
          after: {
            state: 'PROCESSING',
            retried_transfers: 2,
            reserved_amount: Number(amounts.rejected + amounts.unreachable),
          },
          request_id: retried.headers['x-request-id'],
        }),
      ]);
      // Written by the change's own transaction (its now() is the transaction's start), not after it by the API.
      const cancelledAt = await db()('bulk_transfers').where('bulk_id', other.bulkId).first<{ cancelled_at: Date }>();
      expect(await auditedInTransactionOf(other.bulkId, cancelledAt.cancelled_at)).toBe(true);
      const attempt = await db()('transfer_attempts')
        .whereIn('transfer_id', bulk.transferIds)
        .first<{ retried_at: Date }>('retried_at');
      expect(await auditedInTransactionOf(bulk.bulkId, attempt.retried_at)).toBe(true);
    });

    const lines = await linesOfBulk(db(), bulk.bulkId);
    expect(lines.map((line) => [line.status, line.failure_code, line.attempt])).toEqual([
      ['COMPLETED', null, 1],
      ['FAILED', '3204', 1],
      ['FAILED', '5104', 2],
      ['COMPLETED', null, 2],
    ]);
    // The earlier failures are kept.
    const history = await db()('transfer_attempts').whereIn('transfer_id', bulk.transferIds).orderBy('transfer_id');
    expect(history.map((row) => [row.transfer_id, row.attempt, row.failure_code, row.retried_by_id]).sort()).toEqual(
      [
        [rejectedId, 1, '5104', staff.gestionnaire.id],
        [unreachableId, 1, 'switch_unavailable', staff.gestionnaire.id],
      ].sort(),
    );

    // At the switch: the paid line once (never again), the retried one once under its new identity; nothing for 3204.
    const committed = await countCommittedTransfersByHomeTransactionId([
      paidId,
      unreachableId,
      homeTransactionIdFor(unreachableId, 2),
      notFoundId,
    ]);
    expect(Object.fromEntries(committed)).toEqual({
      [paidId]: 1,
      [unreachableId]: 0,
      [homeTransactionIdFor(unreachableId, 2)]: 1,
      [notFoundId]: 0,
    });
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([paid, unreachable, otherPayee]))).toEqual({
      [paid]: 1,
      [unreachable]: 1,
      [otherPayee]: 0,
    });
    // The 5104 line was really sent again (aborted again by its FSP), under the new identity.
    const ledger = await readPeerLedger();
    expect(
      ledger
        .filter((entry) => entry.homeTransactionId === homeTransactionIdFor(rejectedId, 2))
        .map((entry) => entry.state),
    ).toEqual(['ABORTED']);

    expect(await accountMoney(db(), payer.accountId)).toEqual({
      balance: total - amounts.paid - amounts.unreachable,
      reserved: 0n,
    });
    await expectJournalAgrees(db(), payer.accountId);
    const details = await bulkDetails(server, bulk.bulkId, staff.superviseur);
    expect(details.body).toMatchObject({
      state: 'COMPLETED',
      retry_count: 1,
      statistics: { completed: 2, failed: 2, cancelled: 0 },
    });
    expect(details.body.individual_transfers.map((line: { attempt: number }) => line.attempt)).toEqual([1, 1, 2, 2]);

    // Each attempt is its own line workflow, found by the bulk and the payee (the Web UI's search).
    const retriedLine = await temporal.client.workflow.getHandle(workflowIdForLine(bulk.bulkId, 3, 2)).describe();
    expect(retriedLine.status.name).toBe('COMPLETED');
    const found = await waitFor(async () => {
      const ids: string[] = [];
      for await (const execution of temporal.client.workflow.list({
        query: `BulkId = "${bulk.bulkId}" AND PayeeIdentifier = "22990000403"`,
      })) {
        ids.push(execution.workflowId);
      }
      return ids.length === 2 ? ids.sort() : null;
    });
    expect(found).toEqual([workflowIdForLine(bulk.bulkId, 3), workflowIdForLine(bulk.bulkId, 3, 2)].sort());
  });

  it('refuses to retry a bulk whose failures are all permanent (3204), and one still running', async () => {
    const [paid] = uniqueMsisdns(1);
    const payer = await createPayerAccount(db(), 100_000n);
    const staff = await staffOf(payer);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: paid, amount: 5000n },
      { msisdn: '22990000404', amount: 6000n },
    ]);
    // Not started yet: still PENDING.
    const early = await actOnBulk(server, 'retry-failed', bulk.bulkId, staff.gestionnaire.token, 409);
    expect(early.body.error.code).toBe('bulk_in_progress');

    await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await bulkWorkflowResult(temporal, bulk.bulkId);
      const refused = await actOnBulk(server, 'retry-failed', bulk.bulkId, staff.gestionnaire.token, 409);
      expect(refused.body.error.code).toBe('nothing_to_retry');
      await bulkWorkflowResult(temporal, bulk.bulkId); // the run started for the refused update ends at once
    });
    expect(
      (await linesOfBulk(db(), bulk.bulkId)).map((line) => [line.status, line.failure_code, line.attempt]),
    ).toEqual([
      ['COMPLETED', null, 1],
      ['FAILED', '3204', 1],
    ]);
    expect(await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('state', 'retry_count')).toEqual({
      state: 'COMPLETED',
      retry_count: 0,
    });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 95_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    expect((await countCommittedPaymentsByPayee([paid])).get(paid)).toBe(1);
  });

  it('an operator retries from the Temporal CLI, as README says (update-with-start `retryFailed` on bulk-<id>)', async () => {
    const [paid, unreachable] = uniqueMsisdns(2);
    const payer = await createPayerAccount(db(), 50_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: paid, amount: 10_000n },
      { msisdn: unreachable, amount: 15_000n },
    ]);
    await settleTransfer(
      db(),
      bulk.transferIds[1]!,
      { status: 'FAILED', failureCode: 'switch_unavailable', failureMessage: 'unreachable' },
      { onlyIfNotSent: true },
    );

    const retried = await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await bulkWorkflowResult(temporal, bulk.bulkId);
      const { stdout } = await execFileAsync(
        ensureTemporalCli(() => undefined),
        [
          'workflow',
          'execute-update-with-start',
          '--address',
          config().temporal.address,
          '--update-name',
          'retryFailed',
          '--update-input',
          '{"operator": "ops.jane"}',
          '--workflow-id',
          workflowIdForBulk(bulk.bulkId),
          '--type',
          'bulkPayoutWorkflow',
          '--task-queue',
          taskQueue,
          '--input',
          JSON.stringify({ bulkId: bulk.bulkId }),
          '--id-conflict-policy',
          'UseExisting',
          '--id-reuse-policy',
          'AllowDuplicate',
          '--output',
          'json',
        ],
      );
      expect(stdout).toContain('"retried": 1');
      return bulkWorkflowResult(temporal, bulk.bulkId);
    });

    expect(retried).toMatchObject({ state: 'COMPLETED', completed: 2, failed: 0 });
    expect(
      await db()('transfer_attempts')
        .where('transfer_id', bulk.transferIds[1]!)
        .first('attempt', 'failure_code', 'retried_by_operator', 'retried_by_id'),
    ).toEqual({
      attempt: 1,
      failure_code: 'switch_unavailable',
      retried_by_operator: 'ops.jane',
      retried_by_id: null,
    });
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([paid, unreachable]))).toEqual({
      [paid]: 1,
      [unreachable]: 1,
    });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 25_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('cancel: lines not sent are not sent, a line already sent is paid, the unused reservation is released exactly', async () => {
    const lines = uniqueMsisdns(30).map((msisdn, index) => ({ msisdn, amount: BigInt(1000 + index) }));
    const total = lines.reduce((sum, line) => sum + line.amount, 0n);
    const payer = await createPayerAccount(db(), total + 50_000n);
    const staff = await staffOf(payer);
    const outsider = await staffOf(await createPayerAccount(db(), 1000n));
    const bulk = await insertBulk(db(), payer, lines);
    const [sentId, discoveredId, discoveringId] = bulk.transferIds as [string, string, string];

    // The first three lines (the window) are each held at the adapter's door at a different step until the cancel
    // has been answered, so it surely lands while lines are unsent, however fast the machine pays:
    //   line 1 at the transfer step, its send claimed (transfer_sent_at set): sent, it must be paid;
    //   line 2 at the quote step, discovered (PROCESSING) but not sent: the transfer step refuses, it ends cancelled;
    //   line 3 at discovery (still PENDING): the cancel itself makes it FAILED `cancelled`, as lines 4-30.
    const real = adapterClient(peer.outboundUrl);
    const cancelAnswered = barrier();
    const arrived = { sent: barrier(), discovered: barrier(), discovering: barrier() };
    const adapterIdOf = new Map<string, string>();
    const adapter: PayoutAdapter = {
      startTransfer: async (request) => {
        if (request.homeTransactionId === discoveringId) {
          arrived.discovering.open();
          await cancelAnswered.promise;
        }
        const started = await real.startTransfer(request);
        adapterIdOf.set(started.transferId, request.homeTransactionId);
        return started;
      },
      acceptParty: async (transferId) => {
        if (adapterIdOf.get(transferId) === discoveredId) {
          arrived.discovered.open();
          await cancelAnswered.promise;
        }
        return real.acceptParty(transferId);
      },
      acceptQuote: async (transferId) => {
        if (adapterIdOf.get(transferId) === sentId) {
          arrived.sent.open();
          await cancelAnswered.promise;
        }
        return real.acceptQuote(transferId);
      },
      getTransfer: (transferId) => real.getTransfer(transferId),
    };

    let answered: { cancelled_transfers: number; released_amount: number } | undefined;
    const result = await (
      await worker(3, adapter)
    ).runUntil(async () => {
      try {
        await startBulkPayout(temporal, taskQueue, bulk.bulkId);
        await Promise.all([arrived.sent.promise, arrived.discovered.promise, arrived.discovering.promise]);
        expect(
          (await linesOfBulk(db(), bulk.bulkId)).slice(0, 3).map((row) => [row.status, row.transfer_sent_at !== null]),
        ).toEqual([
          ['PROCESSING', true],
          ['PROCESSING', false],
          ['PENDING', false],
        ]);
        await actOnBulk(server, 'cancel', bulk.bulkId, staff.superviseur, 403);
        await actOnBulk(server, 'cancel', bulk.bulkId, outsider.gestionnaire.token, 404);
        const response = await actOnBulk(server, 'cancel', bulk.bulkId, staff.gestionnaire.token, 202);
        answered = response.body;
      } finally {
        cancelAnswered.open();
      }
      return bulkWorkflowResult(temporal, bulk.bulkId);
    });

    // The cancel made the 28 PENDING lines (3 to 30) FAILED `cancelled` at once and released their amounts.
    expect(answered).toMatchObject({
      cancelled_transfers: 28,
      released_amount: Number(lines.slice(2).reduce((sum, line) => sum + line.amount, 0n)),
    });
    expect(result).toEqual({ bulkId: bulk.bulkId, state: 'COMPLETED', total: 30, completed: 1, failed: 29 });
    const rows = await linesOfBulk(db(), bulk.bulkId);
    expect(rows.map((row) => [row.line_number, row.status, row.failure_code, row.transfer_sent_at !== null])).toEqual([
      [1, 'COMPLETED', null, true],
      ...rows.slice(1).map((row) => [row.line_number, 'FAILED', 'cancelled', false]),
    ]);
    expect(rows).toHaveLength(30);

    const atSwitch = await countCommittedTransfersByHomeTransactionId(bulk.transferIds);
    expect(Object.fromEntries(atSwitch)).toEqual(
      Object.fromEntries(bulk.transferIds.map((id) => [id, id === sentId ? 1 : 0])),
    );
    const byPayee = await countCommittedPaymentsByPayee(lines.map((line) => line.msisdn));
    expect(Object.fromEntries(byPayee)).toEqual(
      Object.fromEntries(lines.map((line, index) => [line.msisdn, index === 0 ? 1 : 0])),
    );

    expect(await accountMoney(db(), payer.accountId)).toEqual({
      balance: total + 50_000n - lines[0]!.amount,
      reserved: 0n,
    });
    await expectJournalAgrees(db(), payer.accountId);

    const details = await bulkDetails(server, bulk.bulkId, staff.superviseur);
    expect(details.body).toMatchObject({
      state: 'COMPLETED',
      failure_reason: null,
      cancellation: {
        cancelled_by: { id: staff.gestionnaire.id },
        cancelled_by_operator: null,
        cancelled_transfers: 29,
      },
      statistics: { completed: 1, failed: 29, cancelled: 29 },
    });
    const again = await actOnBulk(server, 'cancel', bulk.bulkId, staff.gestionnaire.token, 409);
    expect(again.body.error.code).toBe('bulk_closed');
  });

  it('an operator cancels with the Temporal CLI (update `cancel`, as the Web UI sends it too): a bulk awaiting approval ends FAILED, funds released', async () => {
    const [first, second] = uniqueMsisdns(2);
    const payer = await createPayerAccount(db(), 100_000n);
    await db()('organizations').where('id', payer.organizationId).update({ requires_approval: true });
    const bulk = await insertBulk(db(), payer, [
      { msisdn: first, amount: 3000n },
      { msisdn: second, amount: 4000n },
    ]);

    const result = await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await waitFor(
        async () =>
          (await db()('bulk_transfers').where({ bulk_id: bulk.bulkId, state: 'AWAITING_APPROVAL' }).first()) ?? null,
      );
      // The README's command, as an operator types it.
      const { stdout } = await execFileAsync(
        ensureTemporalCli(() => undefined),
        [
          'workflow',
          'update',
          'execute',
          '--address',
          config().temporal.address,
          '--workflow-id',
          workflowIdForBulk(bulk.bulkId),
          '--name',
          'cancel',
          '--input',
          '{"operator": "ops.jane"}',
          '--output',
          'json',
        ],
      );
      expect(JSON.parse(stdout)).toMatchObject({ result: { cancelled: 2, released: '7000' } });
      return bulkWorkflowResult(temporal, bulk.bulkId);
    });

    expect(result).toMatchObject({ state: 'FAILED', completed: 0, failed: 2 });
    expect(
      await db()('bulk_transfers')
        .where('bulk_id', bulk.bulkId)
        .first('state', 'failure_reason', 'cancelled_by_operator', 'cancelled_by_identity', 'cancelled_by_id'),
    ).toEqual({
      state: 'FAILED',
      failure_reason: 'Cancelled before any pension was paid: 2 of the 2 transfers were not sent.',
      cancelled_by_operator: 'ops.jane',
      // The CLI's own (its process's, `<pid>@<host>@`: `--identity` does not reach an update's request).
      cancelled_by_identity: expect.stringContaining('@'),
      cancelled_by_id: null,
    });
    expect(await auditOf('bulk', bulk.bulkId)).toEqual([
      expect.objectContaining({
        kind: 'bulk.cancelled',
        actor_user_id: null,
        after: expect.objectContaining({ operator: 'ops.jane', temporal_identity: expect.stringContaining('@') }),
      }),
    ]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
    expect(Object.fromEntries(await countCommittedPaymentsByPayee([first, second]))).toEqual({
      [first]: 0,
      [second]: 0,
    });
  });
  /** A bulk awaiting approval (its organization requires it), with its workflow waiting for a decision. */
  async function bulkAwaitingApproval() {
    const payer = await createPayerAccount(db(), 100_000n);
    await db()('organizations').where('id', payer.organizationId).update({ requires_approval: true });
    const bulk = await insertBulk(db(), payer, [{ msisdn: uniqueMsisdns(1)[0], amount: 3000n }]);
    await startBulkPayout(temporal, taskQueue, bulk.bulkId);
    await waitFor(
      async () =>
        (await db()('bulk_transfers').where({ bulk_id: bulk.bulkId, state: 'AWAITING_APPROVAL' }).first()) ?? null,
    );
    return { payer, bulk };
  }

  it("an operator cancels from the Web UI: one audit row, in the cancel's transaction, naming the operator and the identity Temporal gives the sender", async () => {
    await (
      await worker()
    ).runUntil(async () => {
      const { bulk } = await bulkAwaitingApproval();
      // As the Web UI sends it: an update from a client whose identity is the signed-in operator's.
      const webUi = new Client({
        connection: temporal.connection,
        namespace: config().temporal.namespace,
        identity: 'jane@ops',
      });
      const outcome = await webUi.workflow
        .getHandle(workflowIdForBulk(bulk.bulkId))
        .executeUpdate('cancel', { args: [{ operator: 'jane' }] });
      expect(outcome).toEqual({ cancelled: 1, released: '3000' });
      await bulkWorkflowResult(temporal, bulk.bulkId);

      const row = await db()('bulk_transfers')
        .where('bulk_id', bulk.bulkId)
        .first('cancelled_by_operator', 'cancelled_by_identity', 'cancelled_by_id', 'cancelled_at');
      expect(row).toMatchObject({
        cancelled_by_operator: 'jane',
        cancelled_by_identity: 'jane@ops',
        cancelled_by_id: null,
      });
      expect(await auditOf('bulk', bulk.bulkId)).toEqual([
        expect.objectContaining({
          kind: 'bulk.cancelled',
          actor_user_id: null,
          actor_email: null,
          before: { state: 'AWAITING_APPROVAL' },
          after: { cancelled_transfers: 1, released_amount: 3000, operator: 'jane', temporal_identity: 'jane@ops' },
          request_id: expect.any(String),
        }),
      ]);
      expect(await auditedInTransactionOf(bulk.bulkId, row.cancelled_at)).toBe(true);
    });
  });

  it('refuses a cancel naming a user without a token (typed into the Web UI): nothing changes, nothing is recorded', async () => {
    await (
      await worker()
    ).runUntil(async () => {
      const { payer, bulk } = await bulkAwaitingApproval();
      const staff = await staffOf(payer);
      const refusal = await temporal.client.workflow
        .getHandle(workflowIdForBulk(bulk.bulkId))
        .executeUpdate('cancel', { args: [{ userId: staff.gestionnaire.id }] })
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (refusal as WorkflowUpdateFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('decision_token_required');
      expect((cause.details?.[0] as { message: { fr: string } }).message.fr).toContain('{"operator": "<votre nom>"}');

      expect(
        await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('state', 'cancelled_at', 'cancelled_by_id'),
      ).toEqual({ state: 'AWAITING_APPROVAL', cancelled_at: null, cancelled_by_id: null });
      expect(await linesOfBulk(db(), bulk.bulkId)).toEqual([expect.objectContaining({ status: 'PENDING' })]);
      expect(await auditOf('bulk', bulk.bulkId)).toEqual([]);
      // The workflow still waits for a decision: a real cancel then goes through.
      await temporal.client.workflow
        .getHandle(workflowIdForBulk(bulk.bulkId))
        .executeUpdate('cancel', { args: [{ operator: 'ops.after' }] });
      await bulkWorkflowResult(temporal, bulk.bulkId);
    });
  });
});
