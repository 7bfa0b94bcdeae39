/**
 * A bulk never closes while a line still waits, whatever a line (or anyone with Temporal access) reports: a held
 * line keeps its bulk open until its row says it ended, its workflow terminated by hand included; the overdue-hold
 * backstop then fails it. Postgres itself refuses to close a bulk over a waiting line. Real API, Temporal, Postgres
 * and Mojaloop peer; the peer names the owner of 22990000421 "Awa Traoré".
 */
import type { Worker } from '@temporalio/worker';
import type { temporal as proto } from '@temporalio/proto';
import request from 'supertest';
import { closeDb, db } from '../support/database';
import { closeBulk } from '../../src/payouts/store/bulkStore';
import { createBulkTestApp, createFund, type Fund, upload } from '../support/bulkFixtures';
import { authHeader, type TestServer } from '../support/fixtures';
import { expectJournalAgrees } from '../support/journalInvariant';
import { uniqueMsisdns, walletOwnerName } from '../support/payees';
import {
  accountMoney,
  adapterClient,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  waitFor,
} from '../support/payoutHarness';
import { workflowIdForBulk, workflowIdForLine } from '../../src/payouts/contract';

/** Named "Awa Traoré" by the peer: held when the upload names someone else. */
const AWA_TOO = '22990000421';
/** Long enough that no hold expires by itself during a test, however slow the machine. */
const LONG_HOLD_MS = 24 * 3_600_000;

describe('a bulk waits for its lines', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  const taskQueue = uniqueTaskQueue('waits');
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

  function worker(pageSize?: number): Promise<Worker> {
    return payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      settings: {
        ...(pageSize ? { pageSize } : {}),
        payoutConcurrency: 2,
        payeeNameCheck: { matchThreshold: 0.85, holdMs: LONG_HOLD_MS },
        overdueHoldGraceMs: 1000,
      },
    });
  }

  async function line(bulkId: string, lineNumber: number) {
    return db()('individual_transfers')
      .where({ bulk_id: bulkId, line_number: lineNumber })
      .first('transfer_id', 'status', 'failure_code', 'attempt');
  }

  async function bulkState(bulkId: string): Promise<string> {
    return (await db()('bulk_transfers').where('bulk_id', bulkId).first('state')).state;
  }

  /** A bulk of two lines: line 2 paid, line 3 held (the upload names someone else than the wallet's owner). */
  async function uploadWithHeldLine(fund: Fund): Promise<string> {
    const [paid] = uniqueMsisdns(1);
    const uploaded = await upload(
      server,
      fund.gestionnaire.token,
      `type_id;valeur_id;devise;montant;nom\nMSISDN;${paid};XOF;16000;${walletOwnerName(paid)}\nMSISDN;${AWA_TOO};XOF;15000;Koffi Mensah\n`,
    ).expect(202);
    return uploaded.body.bulkTransferId;
  }

  async function untilHeldAndRestPaid(bulkId: string): Promise<void> {
    await waitFor(async () => (await line(bulkId, 3))?.status === 'ON_HOLD', 90_000);
    await waitFor(async () => (await line(bulkId, 2))?.status === 'COMPLETED', 90_000);
  }

  /** The bulk workflow's history, as the server keeps it. */
  async function bulkHistory(bulkId: string): Promise<proto.api.history.v1.IHistoryEvent[]> {
    const history = await temporal.client.workflow.getHandle(workflowIdForBulk(bulkId)).fetchHistory();
    return history.events ?? [];
  }

  /** The bulk workflow has closed, or has checked a line's report against the database (its lineState step ran). */
  async function closedOrChecked(bulkId: string): Promise<'closed' | 'checked' | null> {
    const described = await temporal.client.workflow.getHandle(workflowIdForBulk(bulkId)).describe();
    if (described.status.name !== 'RUNNING') return 'closed';
    const events = await bulkHistory(bulkId);
    const scheduled = events.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'lineState',
    );
    if (!scheduled) return null;
    const done = events.some(
      (event) =>
        event.activityTaskCompletedEventAttributes &&
        String(event.activityTaskCompletedEventAttributes.scheduledEventId) === String(scheduled.eventId),
    );
    return done ? 'checked' : null;
  }

  it('a forged lineFinished signal for a held line is checked against its row: the bulk stays open, and closes once the line is decided', async () => {
    const fund = await createFund(server, { balance: 1_000_000n });
    const bulkId = await uploadWithHeldLine(fund);

    await (
      await worker()
    ).runUntil(async () => {
      await untilHeldAndRestPaid(bulkId);
      // Anyone with Temporal access can send this (the Web UI, the CLI): it must not be believed.
      await temporal.client.workflow
        .getHandle(workflowIdForBulk(bulkId))
        .signal('lineFinished', { lineNumber: 3, status: 'COMPLETED' });
      expect(await waitFor(() => closedOrChecked(bulkId), 90_000)).toBe('checked');
      expect(await bulkState(bulkId)).toBe('PROCESSING');
      expect((await line(bulkId, 3)).status).toBe('ON_HOLD');
      expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 16000n, reserved: 15000n });
      await expectJournalAgrees(db(), fund.account.id);

      // The line is still decided as usual, and the bulk closes then.
      await request(server)
        .post(`/api/bulk-transfers/${bulkId}/lines/3/reject`)
        .set(authHeader(fund.gestionnaire.token))
        .send({ reason: "Le numéro n'est plus celui du pensionné." })
        .expect(200);
      await waitFor(async () => ['COMPLETED', 'FAILED'].includes(await bulkState(bulkId)), 90_000);
    });

    expect(await bulkState(bulkId)).toBe('COMPLETED');
    expect(await line(bulkId, 3)).toMatchObject({ status: 'FAILED', failure_code: 'name_mismatch_rejected' });
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 16000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('a held line whose workflow is terminated keeps its bulk open; past its deadline the bulk fails it itself and closes', async () => {
    const fund = await createFund(server, { balance: 1_000_000n });
    const bulkId = await uploadWithHeldLine(fund);

    await (
      await worker()
    ).runUntil(async () => {
      await untilHeldAndRestPaid(bulkId);
      // The hold's deadline has passed (as after a day without a decision), and nobody is left to expire it: the
      // line's workflow is terminated from the Web UI.
      await db()('individual_transfers')
        .where({ bulk_id: bulkId, line_number: 3, status: 'ON_HOLD' })
        .update({ hold_deadline: db().raw("now() - interval '1 minute'") });
      const held = await line(bulkId, 3);
      await temporal.client.workflow
        .getHandle(workflowIdForLine(bulkId, 3, held.attempt))
        .terminate('terminated by an operator while held');
      await waitFor(async () => ['COMPLETED', 'FAILED'].includes(await bulkState(bulkId)), 90_000);
    });

    // The backstop failed the line as an expired hold (its money released) before the bulk closed.
    expect(await line(bulkId, 3)).toMatchObject({ status: 'FAILED', failure_code: 'name_mismatch_rejected' });
    expect(await bulkState(bulkId)).toBe('COMPLETED');
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 16000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('a held line is carried across continue-as-new: its terminated workflow and a forged report never close the bulk, the backstop does', async () => {
    const fund = await createFund(server, { balance: 1_000_000n });
    const payees = uniqueMsisdns(3);
    const uploaded = await upload(
      server,
      fund.gestionnaire.token,
      'type_id;valeur_id;devise;montant;nom\n' +
        `MSISDN;${AWA_TOO};XOF;15000;Koffi Mensah\n` +
        payees.map((msisdn) => `MSISDN;${msisdn};XOF;1000;${walletOwnerName(msisdn)}\n`).join(''),
    ).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;
    const bulkWorkflow = temporal.client.workflow.getHandle(workflowIdForBulk(bulkId));

    await (
      await worker(2)
    ).runUntil(async () => {
      await waitFor(async () => (await line(bulkId, 2))?.status === 'ON_HOLD', 90_000);
      await waitFor(async () => {
        const paid = await db()('individual_transfers').where({ bulk_id: bulkId, status: 'COMPLETED' }).count('* as n');
        return Number(paid[0]!.n) === 3;
      }, 90_000);
      // The run that started the held line has continued as new since: the line is carried in its input.
      const runs = await temporal.client.workflow.count(`WorkflowId = '${workflowIdForBulk(bulkId)}'`);
      expect(runs.count).toBeGreaterThan(1);

      // Its workflow is terminated, its deadline passes, and someone tells the bulk it was paid.
      const held = await line(bulkId, 2);
      await temporal.client.workflow.getHandle(workflowIdForLine(bulkId, 2, held.attempt)).terminate('by an operator');
      await db()('individual_transfers')
        .where({ bulk_id: bulkId, line_number: 2, status: 'ON_HOLD' })
        .update({ hold_deadline: db().raw("now() - interval '1 minute'") });
      await bulkWorkflow.signal('lineFinished', { lineNumber: 2, status: 'COMPLETED' });
      await waitFor(async () => ['COMPLETED', 'FAILED'].includes(await bulkState(bulkId)), 90_000);
    });

    expect(await line(bulkId, 2)).toMatchObject({ status: 'FAILED', failure_code: 'name_mismatch_rejected' });
    expect(await bulkState(bulkId)).toBe('COMPLETED');
    expect(await bulkWorkflow.result()).toMatchObject({ state: 'COMPLETED', total: 4, completed: 3, failed: 1 });
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 3000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('closeBulk leaves a bulk with a line ON_HOLD open, and Postgres refuses to close it on any path', async () => {
    const payer = await createPayerAccount(db(), 100_000n);
    const [first, second] = uniqueMsisdns(2);
    const bulk = await insertBulk(
      db(),
      payer,
      [
        { msisdn: first, amount: 1000n },
        { msisdn: second, amount: 2000n },
      ],
      { state: 'PROCESSING' },
    );
    await db()('individual_transfers').where('transfer_id', bulk.transferIds[0]).update({
      status: 'FAILED',
      failure_code: 'test',
    });
    await db()('individual_transfers')
      .where('transfer_id', bulk.transferIds[1])
      .update({
        status: 'ON_HOLD',
        hold_reason: 'name_mismatch',
        held_at: db().fn.now(),
        hold_deadline: db().raw("now() + interval '1 day'"),
      });

    const closing = await closeBulk(db(), bulk.bulkId);
    expect(closing.outcome).toEqual({ state: 'UNFINISHED', unfinished: 1 });
    expect(await bulkState(bulk.bulkId)).toBe('PROCESSING');

    await expect(db()('bulk_transfers').where('bulk_id', bulk.bulkId).update({ state: 'COMPLETED' })).rejects.toThrow(
      /bulk_closes_when_lines_final|still pending, processing or on hold/,
    );
    await expect(
      db().transaction(async (trx) => {
        await trx('bulk_transfers').where('bulk_id', bulk.bulkId).update({ state: 'FAILED' });
      }),
    ).rejects.toThrow(/still pending, processing or on hold/);
    expect(await bulkState(bulk.bulkId)).toBe('PROCESSING');
  });
});
