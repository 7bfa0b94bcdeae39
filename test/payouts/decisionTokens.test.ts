/**
 * Decisions prove who made them: an approval or rejection reaches the bulk's workflow only with the decision token
 * the API signed for that user, that bulk and that decision (src/payouts/rules/decisionTokens.ts), so whoever reaches
 * Temporal (Web UI, CLI) cannot act in a user's name; the decision's audit entry is written in the decision's own
 * transaction; a malformed cancel is refused at once; and the database refuses an approval past its deadline.
 * On the real API, Temporal, Postgres and Mojaloop peer.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { approveBulk } from '../../src/payouts/store/bulkStore';
import { signDecisionToken } from '../../src/payouts/decisionTokenKeys';
import { type BulkPayoutResult, workflowIdForBulk } from '../../src/payouts/contract';
import { auditOf } from '../support/adminFixtures';
import { actOnBulk, createBulkTestApp, createFund, CSV_HEADER, type Fund, upload } from '../support/bulkFixtures';
import { createUser, loginAs, type TestServer } from '../support/fixtures';
import { createPayerAccount, insertBulk } from '../support/payoutFixtures';
import {
  adapterClient,
  connectTemporal,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  waitFor,
} from '../support/payoutHarness';
import { uniqueMsisdns } from '../support/payees';

describe('decision tokens', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  const taskQueue = uniqueTaskQueue('tokens');
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

  /** The approval deadline is a day: these tests act while the bulk awaits approval, however slow the machine. */
  function worker(): Promise<Worker> {
    return payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      settings: { payoutConcurrency: 2, approvalTimeoutMs: 24 * 3_600_000 },
    });
  }

  async function awaitingApproval(): Promise<{ fund: Fund; checker: { id: number; token: string }; bulkId: string }> {
    const fund = await createFund(server, { balance: 1_000_000n });
    await db()('organizations').where('id', fund.organization.id).update({ requires_approval: true });
    const checker = await createUser({ organizationId: fund.organization.id, role: 'GESTIONNAIRE' });
    const [payee] = uniqueMsisdns(1);
    const uploaded = await upload(server, fund.gestionnaire.token, `${CSV_HEADER}MSISDN,${payee},XOF,20000\n`).expect(
      202,
    );
    return {
      fund,
      checker: { id: checker.user.id, token: await loginAs(server, checker.email, checker.password) },
      bulkId: uploaded.body.bulkTransferId,
    };
  }

  const bulkRow = (bulkId: string) =>
    db()('bulk_transfers')
      .where('bulk_id', bulkId)
      .first('state', 'approved_by_id', 'approved_at', 'cancelled_at', 'cancelled_by_id');

  /** The code an update was refused with (the failure's type), or null when it was taken. */
  async function refusalOf(update: Promise<unknown>): Promise<string | null> {
    const error = await update.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    if (error === null) return null;
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    const failure = (error as WorkflowUpdateFailedError).cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    return (failure as ApplicationFailure).type ?? null;
  }

  it('refuses an approval naming a user, or with a forged, expired or misdirected token: nothing approved, nothing audited; the API approves, audited once in the same transaction', async () => {
    const { fund, checker, bulkId } = await awaitingApproval();
    const handle = temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulkId));
    const claims = { userId: checker.id, act: 'approve' as const, target: bulkId };

    const result = await (
      await worker()
    ).runUntil(async () => {
      await waitFor(async () => (await bulkRow(bulkId)).state === 'AWAITING_APPROVAL');
      // What reproduced the issue: a user id typed into the Web UI or CLI.
      expect(await refusalOf(handle.executeUpdate('approve', { args: [{ userId: checker.id }] }))).toBe(
        'decision_token_required',
      );
      expect(await refusalOf(handle.executeUpdate('approve', { args: [] }))).toBe('decision_token_required');
      const tokens = config().auth;
      const forged = signDecisionToken({ ...tokens, secretKey: `${tokens.secretKey}-not-ours` }, claims);
      const expired = signDecisionToken(tokens, claims, new Date(Date.now() - 3_600_000));
      const otherBulk = signDecisionToken(tokens, { ...claims, target: randomUUID() });
      const forRejecting = signDecisionToken(tokens, { ...claims, act: 'reject' });
      for (const token of [forged, expired, otherBulk, forRejecting, 'garbage', `${forged.split('.')[0]}.`]) {
        expect(await refusalOf(handle.executeUpdate('approve', { args: [{ token }] }))).toBe('decision_token_invalid');
      }
      const forApproving = signDecisionToken(tokens, claims);
      expect(await refusalOf(handle.executeUpdate('reject', { args: [{ token: forApproving, reason: 'no' }] }))).toBe(
        'decision_token_invalid',
      );
      expect(
        await refusalOf(
          handle.executeUpdate('approve', { args: [{ token: forApproving, userId: fund.superviseur.id }] }),
        ),
      ).toBe('validation_error');
      // A genuine token of the bulk's creator: maker-checker still holds.
      const byCreator = signDecisionToken(tokens, { ...claims, userId: fund.gestionnaire.id });
      expect(await refusalOf(handle.executeUpdate('approve', { args: [{ token: byCreator }] }))).toBe(
        'approval_by_creator',
      );

      expect(await bulkRow(bulkId)).toMatchObject({ state: 'AWAITING_APPROVAL', approved_by_id: null });
      expect(await auditOf('bulk', bulkId)).toEqual([]);
      const history = (await handle.fetchHistory()).events ?? [];
      expect(history.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);

      const approved = await actOnBulk(server, 'approve', bulkId, checker.token, 200);
      expect(approved.body).toMatchObject({ state: 'PROCESSING', approval: { approved_by: { id: checker.id } } });
      const audit = await auditOf('bulk', bulkId);
      expect(audit).toEqual([
        expect.objectContaining({
          kind: 'bulk.approved',
          actor_user_id: checker.id,
          before: { state: 'AWAITING_APPROVAL' },
          after: { state: 'PROCESSING' },
          request_id: approved.headers['x-request-id'],
        }),
      ]);
      // One transaction: the approval and its audit entry carry the same now().
      const row = await bulkRow(bulkId);
      const entry = await db()('audit_log').where({ subject_type: 'bulk', subject_id: bulkId }).first('occurred_at');
      expect(entry.occurred_at.getTime()).toBe(row.approved_at.getTime());
      return handle.result();
    });
    expect(result).toMatchObject({ state: 'COMPLETED', completed: 1 });
    expect(await auditOf('bulk', bulkId)).toHaveLength(1);
  });

  it('refuses a malformed cancel, and a user named without a token or with a token not for this cancel, in its validator; the bulk goes on', async () => {
    const { checker, bulkId } = await awaitingApproval();
    const handle = temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulkId));
    const tokens = config().auth;
    const claims = { userId: checker.id, act: 'cancel' as const, target: bulkId };

    const result = await (
      await worker()
    ).runUntil(async () => {
      await waitFor(async () => (await bulkRow(bulkId)).state === 'AWAITING_APPROVAL');
      for (const actor of [
        { operator: 5 },
        { operator: '' },
        { operator: 'x'.repeat(101) },
        { operator: 'alice', role: 'admin' },
        { operator: 'alice', token: signDecisionToken(tokens, claims) },
        'alice',
        undefined,
      ]) {
        expect(await refusalOf(handle.executeUpdate('cancel', { args: [actor as never] }))).toBe('validation_error');
      }
      // A user typed into the Web UI (any id, ours or not): only a token proves who acts.
      for (const actor of [{ userId: checker.id }, { userId: 2_000_000_000 }, { userId: 'x' }, { userId: 0 }]) {
        expect(await refusalOf(handle.executeUpdate('cancel', { args: [actor as never] }))).toBe(
          'decision_token_required',
        );
      }
      for (const token of [
        signDecisionToken({ ...tokens, secretKey: `${tokens.secretKey}-not-ours` }, claims),
        signDecisionToken(tokens, { ...claims, act: 'approve' }),
        signDecisionToken(tokens, { ...claims, act: 'retryFailed' }),
        signDecisionToken(tokens, { ...claims, target: randomUUID() }),
        signDecisionToken(tokens, claims, new Date(Date.now() - 3_600_000)),
      ]) {
        expect(await refusalOf(handle.executeUpdate('cancel', { args: [{ token }] }))).toBe('decision_token_invalid');
      }
      const history = (await handle.fetchHistory()).events ?? [];
      expect(history.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);
      expect(await bulkRow(bulkId)).toMatchObject({ state: 'AWAITING_APPROVAL', cancelled_at: null });
      expect(await auditOf('bulk', bulkId)).toEqual([]);
      await actOnBulk(server, 'approve', bulkId, checker.token, 200);
      return handle.result();
    });
    expect(result).toMatchObject({ state: 'COMPLETED', completed: 1, failed: 0 });
  });

  it('refuses an approval once the deadline has passed, in the store function (approval_expired) and in the database itself', async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    await db()('organizations').where('id', payer.organizationId).update({ requires_approval: true });
    const checker = await createUser({ organizationId: payer.organizationId, role: 'GESTIONNAIRE' });
    const [payee] = uniqueMsisdns(1);
    const bulk = await insertBulk(db(), payer, [{ msisdn: payee, amount: 1_000n }], { state: 'AWAITING_APPROVAL' });
    await db()('bulk_transfers')
      .where('bulk_id', bulk.bulkId)
      .update({ approval_deadline: db().raw("now() - interval '1 minute'") });

    await expect(approveBulk(db(), bulk.bulkId, { userId: checker.user.id, requestId: null })).rejects.toMatchObject({
      status: 409,
      code: 'approval_expired',
    });
    // Any other path (a hand-written UPDATE) is refused by the database.
    await expect(
      db()('bulk_transfers')
        .where('bulk_id', bulk.bulkId)
        .update({ state: 'PROCESSING', approved_by_id: checker.user.id, approved_at: db().fn.now() }),
    ).rejects.toThrow(/approval_expired/);
    expect(await bulkRow(bulk.bulkId)).toMatchObject({ state: 'AWAITING_APPROVAL', approved_by_id: null });
    expect(await auditOf('bulk', bulk.bulkId)).toEqual([]);

    // Before the deadline, the same call approves, with its audit entry.
    await db()('bulk_transfers')
      .where('bulk_id', bulk.bulkId)
      .update({ approval_deadline: db().raw("now() + interval '1 hour'") });
    await approveBulk(db(), bulk.bulkId, { userId: checker.user.id, requestId: 'req-direct' });
    expect(await bulkRow(bulk.bulkId)).toMatchObject({ state: 'PROCESSING', approved_by_id: checker.user.id });
    expect(await auditOf('bulk', bulk.bulkId)).toEqual([
      expect.objectContaining({ kind: 'bulk.approved', actor_user_id: checker.user.id, request_id: 'req-direct' }),
    ]);
  });
});
