/**
 * Retry-failed started by an operator as the README documents it: the workflow type retryFailedTransfersWorkflow,
 * started from the Temporal Web UI's "Start Workflow" form or the CLI (the same request; the test uses the CLI).
 * It goes through the same path as the API: lines not worth paying again are refused the same way, and a sent
 * line without a definite "not committed" from the switch is never paid again.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { ApplicationFailure, Client, WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createOperatorActivities } from '../../activities/operations/operatorActivities';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { settleTransfer } from '../../src/payouts/store/lineStore';
import { ensureTemporalCli } from '../../temporal/cli';
import {
  accountMoney,
  adapterClient,
  bulkWorkflowResult,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
} from '../support/payoutHarness';
import { countCommittedTransfersByHomeTransactionId } from '../support/peerLedger';

const execFileAsync = promisify(execFile);

describe('retry-failed from the Temporal Web UI / CLI (retryFailedTransfersWorkflow)', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  const taskQueue = uniqueTaskQueue('operator-retry');

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
  });

  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  function worker(): Promise<Worker> {
    return payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      settings: { payoutConcurrency: 2 },
    });
  }

  function payee(): string {
    return `2298${randomUUID().replace(/\D/g, '').padEnd(8, '7').slice(0, 8)}`;
  }

  /** As the README says: `temporal workflow start --type retryFailedTransfersWorkflow ...` (here `execute`: start and wait). */
  async function operatorRetries(bulkId: string, workflowId: string): Promise<string> {
    const { stdout } = await execFileAsync(
      ensureTemporalCli(() => undefined),
      [
        'workflow',
        'execute',
        '--address',
        config().temporal.address,
        '--type',
        'retryFailedTransfersWorkflow',
        '--task-queue',
        taskQueue,
        '--workflow-id',
        workflowId,
        '--input',
        JSON.stringify({ bulkId, operator: 'ops.jane' }),
        '--output',
        'json',
      ],
    );
    return stdout;
  }

  it('pays the lines worth retrying again through the bulk workflow, and records the operator', async () => {
    const [paid, unreachable] = [payee(), payee()];
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
      const stdout = await operatorRetries(bulk.bulkId, `retry-${bulk.bulkId}-1`);
      expect(stdout).toContain('"retried": 1');
      expect(stdout).toContain('"reserved": "15000"');
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
    const sent = await countCommittedTransfersByHomeTransactionId([bulk.transferIds[0]!, `${bulk.transferIds[1]!}-2`]);
    expect(Object.fromEntries(sent)).toEqual({ [bulk.transferIds[0]!]: 1, [`${bulk.transferIds[1]!}-2`]: 1 });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 25_000n, reserved: 0n });
  });

  it("records the identity Temporal gives whoever started the retry workflow on the retried attempts, and one audit row in the retry's transaction", async () => {
    const unreachable = payee();
    const payer = await createPayerAccount(db(), 50_000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: unreachable, amount: 15_000n }]);
    await settleTransfer(
      db(),
      bulk.transferIds[0]!,
      { status: 'FAILED', failureCode: 'switch_unavailable', failureMessage: 'unreachable' },
      { onlyIfNotSent: true },
    );

    await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await bulkWorkflowResult(temporal, bulk.bulkId);
      // As the Web UI's "Start Workflow" form starts it: a client whose identity is the operator's desk.
      const desk = new Client({
        connection: temporal.connection,
        namespace: config().temporal.namespace,
        identity: 'ops@desk',
      });
      const outcome = await desk.workflow.execute('retryFailedTransfersWorkflow', {
        taskQueue,
        workflowId: `retry-${bulk.bulkId}-identity`,
        args: [{ bulkId: bulk.bulkId, operator: 'ops.jane' }],
      });
      expect(outcome).toEqual({ retried: 1, reserved: '15000' });
      await bulkWorkflowResult(temporal, bulk.bulkId);
    });

    const attempt = await db()('transfer_attempts')
      .where('transfer_id', bulk.transferIds[0]!)
      .first('retried_by_operator', 'retried_by_identity', 'retried_by_id', 'retry_request_id', 'retried_at');
    expect(attempt).toMatchObject({
      retried_by_operator: 'ops.jane',
      retried_by_identity: 'ops@desk',
      retried_by_id: null,
    });
    const audited = await db()('audit_log').where({ subject_type: 'bulk', subject_id: bulk.bulkId }).select('*');
    expect(audited).toEqual([
      expect.objectContaining({
        kind: 'bulk.retried',
        actor_user_id: null,
        after: {
          state: 'PROCESSING',
          retried_transfers: 1,
          reserved_amount: 15000,
          operator: 'ops.jane',
          temporal_identity: 'ops@desk',
        },
        request_id: attempt.retry_request_id,
      }),
    ]);
    // Written by the retry's own transaction (its now()), not after it.
    expect(audited[0].occurred_at.getTime()).toBe(attempt.retried_at.getTime());
  });

  it('refuses as the API does: nothing worth retrying, and a sent line the switch could not say was not committed', async () => {
    const [paid, lost] = [payee(), payee()];
    const payer = await createPayerAccount(db(), 50_000n);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: paid, amount: 10_000n },
      { msisdn: lost, amount: 15_000n },
      { msisdn: '22990000404', amount: 5_000n },
    ]);
    // Line 2 was sent and its transfer not found at the switch after it expired: maybe paid, never paid again.
    await db()('individual_transfers')
      .where('transfer_id', bulk.transferIds[1]!)
      .update({
        status: 'PROCESSING',
        mojaloop_transfer_id: randomUUID(),
        quote_id: randomUUID(),
        transfer_sent_at: new Date(Date.now() - 600_000),
      });
    await settleTransfer(db(), bulk.transferIds[1]!, {
      status: 'FAILED',
      failureCode: 'transfer_not_found',
      failureMessage: 'not found after expiry',
    });

    const failure = await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await bulkWorkflowResult(temporal, bulk.bulkId);
      const workflowId = `retry-${bulk.bulkId}-1`;
      await operatorRetries(bulk.bulkId, workflowId).catch(() => undefined); // the CLI exits non-zero on a failed workflow
      return temporal.client.workflow
        .getHandle(workflowId)
        .result()
        .catch((error: unknown) => error);
    });

    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('nothing_to_retry');
    expect(
      (
        await db()('individual_transfers')
          .where('bulk_id', bulk.bulkId)
          .orderBy('line_number')
          .select('status', 'failure_code', 'attempt')
      ).map(Object.values),
    ).toEqual([
      ['COMPLETED', null, 1],
      ['FAILED', 'transfer_not_found', 1],
      ['FAILED', '3204', 1],
    ]);
    expect(await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('state', 'retry_count')).toEqual({
      state: 'COMPLETED',
      retry_count: 0,
    });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 40_000n, reserved: 0n });
  });

  it("answers a repeated request (a retried activity) with the first one's outcome, paying once", async () => {
    const unreachable = payee();
    const payer = await createPayerAccount(db(), 50_000n);
    const bulk = await insertBulk(db(), payer, [{ msisdn: unreachable, amount: 15_000n }]);
    await settleTransfer(
      db(),
      bulk.transferIds[0]!,
      { status: 'FAILED', failureCode: 'switch_unavailable', failureMessage: 'unreachable' },
      { onlyIfNotSent: true },
    );
    const activities = createOperatorActivities({
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      settings: { maxFeeMinorUnits: 1000n, payoutConcurrency: 1, pageSize: 10 },
      temporal: { handle: { client: temporal.client, connection: temporal.connection }, taskQueue },
    });
    const request = { bulkId: bulk.bulkId, operator: 'ops.jane', requestId: randomUUID() };

    const [first, second] = await (
      await worker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await bulkWorkflowResult(temporal, bulk.bulkId);
      const answers = [
        await new MockActivityEnvironment().run(activities.retryFailedForOperator, request),
        await new MockActivityEnvironment().run(activities.retryFailedForOperator, request),
      ];
      await bulkWorkflowResult(temporal, bulk.bulkId);
      return answers;
    });

    expect(first).toEqual({ retried: 1, reserved: '15000' });
    expect(second).toEqual(first);
    // The repeat found the retry done: one audit row, the first attempt's.
    expect(await db()('audit_log').where({ subject_type: 'bulk', subject_id: bulk.bulkId })).toEqual([
      expect.objectContaining({ kind: 'bulk.retried', request_id: request.requestId }),
    ]);
    expect(await db()('bulk_transfers').where('bulk_id', bulk.bulkId).first('state', 'retry_count')).toEqual({
      state: 'COMPLETED',
      retry_count: 1,
    });
    expect(Object.fromEntries(await countCommittedTransfersByHomeTransactionId([`${bulk.transferIds[0]!}-2`]))).toEqual(
      { [`${bulk.transferIds[0]!}-2`]: 1 },
    );
  });

  it('refuses an input without the bulk or the operator, before anything is asked', async () => {
    const handle = await temporal.client.workflow.start('retryFailedTransfersWorkflow', {
      taskQueue,
      workflowId: `retry-bad-input-${randomUUID()}`,
      args: [{ bulkId: 'not-a-bulk', operator: 'ops.jane' }],
    });
    const failure = await (await worker()).runUntil(handle.result().catch((error: unknown) => error));
    expect(((failure as WorkflowFailedError).cause as ApplicationFailure).type).toBe('validation_error');
  });
});
