/**
 * The payee name check, end to end on the real API, Temporal, Postgres and Mojaloop peer: the peer names the owner
 * of 22990000420 and 22990000421 "Awa Traoré". A line whose expected name (the pension roll's, or the upload's
 * `nom`) is not that owner is held ON_HOLD, nothing sent and its money reserved, while the bulk's other lines are
 * paid; a release pays it once, a rejection releases its money, and an undecided hold fails at its deadline.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Webhook } from 'standardwebhooks';
import type { Worker } from '@temporalio/worker';
import request from 'supertest';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { signDecisionToken } from '../../src/payouts/decisionTokenKeys';
import { auditOf } from '../support/adminFixtures';
import { bulkDetails, createBulkTestApp, createFund, type Fund, upload } from '../support/bulkFixtures';
import { authHeader, type TestServer } from '../support/fixtures';
import { expectJournalAgrees } from '../support/journalInvariant';
import { conforms } from '../support/openApiContract';
import { uniqueMsisdns, walletOwnerName } from '../support/payees';
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
import { accountMoney } from '../support/payoutFixtures';
import { countCommittedTransfersByHomeTransactionId } from '../support/peerLedger';
import { insertWebhookEndpoint, startWebhookReceiver } from '../support/webhookReceiver';
import { workflowIdForLine } from '../../src/payouts/contract';

/** Named "Awa Traoré" by the peer. */
const AWA = '22990000420';
const AWA_TOO = '22990000421';
/** Long enough that no test acting on a hold can see it expire, however slow the machine. */
const LONG_HOLD_MS = 24 * 3_600_000;
const SHORT_HOLD_MS = 1500;

describe('payee name check', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  const taskQueue = uniqueTaskQueue('names');
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

  /** A Worker runs once: each test its own, on the queue the API starts bulks on. */
  function worker(holdMs = LONG_HOLD_MS): Promise<Worker> {
    return payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      settings: { payoutConcurrency: 2, payeeNameCheck: { matchThreshold: 0.85, holdMs } },
    });
  }

  async function onRoll(fund: Fund, entries: Array<[string, string]>): Promise<void> {
    await db()('beneficiaries').insert(
      entries.map(([msisdn, fullName]) => ({
        organization_id: fund.organization.id,
        party_id_type: 'MSISDN',
        party_identifier: msisdn,
        full_name: fullName,
        monthly_amount: '10000',
        currency: 'XOF',
        status: 'ACTIVE',
      })),
    );
  }

  async function line(bulkId: string, lineNumber: number) {
    return db()('individual_transfers')
      .where({ bulk_id: bulkId, line_number: lineNumber })
      .first('transfer_id', 'status', 'failure_code', 'attempt');
  }

  async function bulkState(bulkId: string): Promise<string> {
    return (await db()('bulk_transfers').where('bulk_id', bulkId).first('state')).state;
  }

  const ended = async (bulkId: string): Promise<boolean> => ['COMPLETED', 'FAILED'].includes(await bulkState(bulkId));

  function decide(bulkId: string, lineNumber: number, action: 'release' | 'reject', token: string, status: number) {
    const call = request(server)
      .post(`/api/bulk-transfers/${bulkId}/lines/${lineNumber}/${action}`)
      .set(authHeader(token));
    if (action === 'reject') call.send({ reason: "Le numéro n'est plus celui du pensionné." });
    return call.expect(status);
  }

  it('pays the pensioner the roll names, holds the wallet of someone else while the rest is paid, and a release pays it once', async () => {
    const fund = await createFund(server, { balance: 1_000_000n });
    const [unlisted] = uniqueMsisdns(1);
    await onRoll(fund, [
      [AWA, 'TRAORE Awa'],
      [AWA_TOO, 'Koffi Mensah'],
    ]);
    const receiver = await startWebhookReceiver();
    const endpoint = await insertWebhookEndpoint(db(), fund.organization.id, `${receiver.baseUrl}/holds`, [
      'transfer.on_hold',
    ]);
    const uploaded = await upload(
      server,
      fund.gestionnaire.token,
      `type_id,valeur_id,devise,montant\nMSISDN,${AWA},XOF,11000\nMSISDN,${AWA_TOO},XOF,12000\nMSISDN,${unlisted},XOF,13000\n`,
    ).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;
    let releasedRequestId: string | undefined;

    await (
      await worker()
    ).runUntil(async () => {
      await waitFor(async () => (await line(bulkId, 3))?.status === 'ON_HOLD', 90_000);
      await waitFor(
        async () => (await line(bulkId, 2))?.status === 'COMPLETED' && (await line(bulkId, 4))?.status === 'COMPLETED',
        90_000,
      );

      // The rest is paid, the held line's money is still reserved and the bulk waits for the decision.
      expect(await bulkState(bulkId)).toBe('PROCESSING');
      expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 24000n, reserved: 12000n });
      const details = await bulkDetails(server, bulkId, fund.superviseur.token);
      expect(details.body.statistics).toMatchObject({ completed: 2, held: 1, processing: 0, pending: 0 });
      const [paid, held, unchecked] = details.body.individual_transfers;
      expect(paid).toMatchObject({
        expected_payee_name: 'TRAORE Awa',
        payee_name: 'Awa Traoré',
        name_match_score: 1,
        hold: null,
      });
      expect(held).toMatchObject({
        status: 'ON_HOLD',
        expected_payee_name: 'Koffi Mensah',
        payee_name: 'Awa Traoré',
        hold: { reason: 'name_mismatch', deadline: expect.any(String), decision: null, decided_by: null },
      });
      expect(held.name_match_score).toBeLessThan(0.85);
      expect(unchecked).toMatchObject({ status: 'COMPLETED', expected_payee_name: null, name_match_score: null });
      // The fund's systems are told, by a signed webhook.
      const announced = await waitFor(async () =>
        receiver.received.find((request) => JSON.parse(request.body).type === 'transfer.on_hold'),
      );
      const event = new Webhook(endpoint.secret).verify(announced.body, {
        'webhook-id': String(announced.headers['webhook-id']),
        'webhook-timestamp': String(announced.headers['webhook-timestamp']),
        'webhook-signature': String(announced.headers['webhook-signature']),
      });
      expect(event).toMatchObject({
        type: 'transfer.on_hold',
        data: { bulk_id: bulkId, line_number: 3, status: 'ON_HOLD', hold: { reason: 'name_mismatch' } },
      });
      await receiver.close();
      const status = await request(server)
        .get(`/api/bulk-transfers/${bulkId}/status`)
        .set(authHeader(fund.superviseur.token))
        .expect(200);
      expect(status.body).toMatchObject({ state: 'PROCESSING', held: 1 });

      // Who may decide: not a SUPERVISEUR, not another organization; the workflow checks it too. An update without
      // the API's decision token (a user id typed into the Web UI) is refused whoever it names, as is a token for
      // another line or another decision; a token the API would not have signed (for a SUPERVISEUR) is refused by
      // the decision's activity.
      expect((await decide(bulkId, 3, 'release', fund.superviseur.token, 403)).body.error.code).toBe(
        'permission_denied',
      );
      const outsider = await createFund(server);
      await decide(bulkId, 3, 'release', outsider.gestionnaire.token, 404);
      const heldLine = await line(bulkId, 3);
      const handle = temporal.client.workflow.getHandle(workflowIdForLine(bulkId, 3, heldLine.attempt));
      const refusalOf = async (input: object) => {
        const refused = await handle.executeUpdate('releaseHold', { args: [input] }).then(
          () => null,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
        return ((refused as WorkflowUpdateFailedError).cause as { type?: string }).type;
      };
      const tokenFor = (userId: number, act: 'releaseHold' | 'rejectHold', target: string) =>
        signDecisionToken(config().auth, { userId, act, target });
      expect(await refusalOf({ userId: fund.gestionnaire.id })).toBe('decision_token_required');
      const otherLine = (await line(bulkId, 2)).transfer_id;
      expect(await refusalOf({ token: tokenFor(fund.gestionnaire.id, 'releaseHold', otherLine) })).toBe(
        'decision_token_invalid',
      );
      expect(await refusalOf({ token: tokenFor(fund.gestionnaire.id, 'rejectHold', heldLine.transfer_id) })).toBe(
        'decision_token_invalid',
      );
      expect(await refusalOf({ token: tokenFor(fund.superviseur.id, 'releaseHold', heldLine.transfer_id) })).toBe(
        'decider_not_allowed',
      );
      expect((await line(bulkId, 3)).status).toBe('ON_HOLD');
      expect(await auditOf('transfer', heldLine.transfer_id)).toEqual([]);

      const released = await decide(bulkId, 3, 'release', fund.gestionnaire.token, 200);
      releasedRequestId = released.headers['x-request-id'];
      conforms(released, 'post', '/api/bulk-transfers/{bulk_id}/lines/{line_number}/release');
      expect(released.body).toMatchObject({ bulkTransferId: bulkId, line_number: 3, status: 'PROCESSING' });
      await waitFor(() => ended(bulkId), 90_000);
      expect((await decide(bulkId, 3, 'release', fund.gestionnaire.token, 409)).body.error.code).toBe('not_on_hold');
    });

    expect(await bulkState(bulkId)).toBe('COMPLETED');
    const heldLine = await line(bulkId, 3);
    expect(heldLine).toMatchObject({ status: 'COMPLETED' });
    const committed = await countCommittedTransfersByHomeTransactionId([heldLine.transfer_id]);
    expect(committed.get(heldLine.transfer_id)).toBe(1);
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 36000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
    const details = await bulkDetails(server, bulkId, fund.superviseur.token);
    expect(details.body.individual_transfers[1].hold).toMatchObject({
      decision: 'released',
      decided_by: { id: fund.gestionnaire.id },
    });
    expect(await auditOf('transfer', heldLine.transfer_id)).toEqual([
      expect.objectContaining({
        kind: 'transfer.hold_released',
        actor_user_id: fund.gestionnaire.id,
        before: expect.objectContaining({ status: 'ON_HOLD', expected_payee_name: 'Koffi Mensah' }),
        after: { status: 'PROCESSING' },
        request_id: releasedRequestId,
      }),
    ]);
  });

  it('checks an upload by its `nom` column; a rejected line fails name_mismatch_rejected and its money is released', async () => {
    const fund = await createFund(server, { balance: 1_000_000n });
    const [named] = uniqueMsisdns(1);
    const uploaded = await upload(
      server,
      fund.gestionnaire.token,
      `type_id;valeur_id;devise;montant;nom\nMSISDN;${AWA_TOO};XOF;15000;Koffi Mensah\nMSISDN;${named};XOF;16000;${walletOwnerName(named)}\n`,
    ).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;

    await (
      await worker()
    ).runUntil(async () => {
      await waitFor(async () => (await line(bulkId, 2))?.status === 'ON_HOLD', 90_000);
      const rejected = await decide(bulkId, 2, 'reject', fund.gestionnaire.token, 200);
      expect(rejected.body).toMatchObject({ status: 'FAILED', failure_code: 'name_mismatch_rejected' });
      await waitFor(() => ended(bulkId), 90_000);
    });

    expect(await bulkState(bulkId)).toBe('COMPLETED');
    const heldLine = await line(bulkId, 2);
    expect(heldLine).toMatchObject({ status: 'FAILED', failure_code: 'name_mismatch_rejected' });
    expect((await line(bulkId, 3)).status).toBe('COMPLETED');
    const committed = await countCommittedTransfersByHomeTransactionId([heldLine.transfer_id]);
    expect(committed.get(heldLine.transfer_id) ?? 0).toBe(0);
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 16000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
    expect(await auditOf('transfer', heldLine.transfer_id)).toEqual([
      expect.objectContaining({
        kind: 'transfer.hold_rejected',
        after: { status: 'FAILED', reason: "Le numéro n'est plus celui du pensionné." },
      }),
    ]);
  });

  it('ends a held line with its bulk when the bulk is cancelled: nothing sent, its money released', async () => {
    const fund = await createFund(server, { balance: 1_000_000n });
    const [named] = uniqueMsisdns(1);
    const uploaded = await upload(
      server,
      fund.gestionnaire.token,
      `type_id,valeur_id,devise,montant,nom\nMSISDN,${AWA},XOF,19000,Koffi Mensah\nMSISDN,${named},XOF,20000,${walletOwnerName(named)}\n`,
    ).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;

    await (
      await worker()
    ).runUntil(async () => {
      await waitFor(async () => (await line(bulkId, 2))?.status === 'ON_HOLD', 90_000);
      await waitFor(async () => (await line(bulkId, 3))?.status === 'COMPLETED', 90_000);
      await request(server)
        .post(`/api/bulk-transfers/${bulkId}/cancel`)
        .set(authHeader(fund.gestionnaire.token))
        .expect(202);
      await waitFor(() => ended(bulkId), 90_000);
    });

    expect(await bulkState(bulkId)).toBe('COMPLETED');
    const heldLine = await line(bulkId, 2);
    expect(heldLine).toMatchObject({ status: 'FAILED', failure_code: 'cancelled' });
    const committed = await countCommittedTransfersByHomeTransactionId([heldLine.transfer_id]);
    expect(committed.get(heldLine.transfer_id) ?? 0).toBe(0);
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 20000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('fails an undecided hold at its deadline, and checks nothing in a file without `nom` for a payee off the roll', async () => {
    const fund = await createFund(server, { balance: 1_000_000n });
    const withName = await upload(
      server,
      fund.gestionnaire.token,
      `type_id,valeur_id,devise,montant,nom\nMSISDN,${AWA_TOO},XOF,17000,Koffi Mensah\n`,
    ).expect(202);
    const withoutName = await upload(
      server,
      fund.gestionnaire.token,
      // The other named wallet: two lookups of one party at once may both time out at the adapter (mojaloop/README.md).
      `type_id,valeur_id,devise,montant\nMSISDN,${AWA},XOF,18000\n`,
    ).expect(202);
    const held: string = withName.body.bulkTransferId;
    const unchecked: string = withoutName.body.bulkTransferId;

    await (
      await worker(SHORT_HOLD_MS)
    ).runUntil(async () => {
      await waitFor(async () => (await ended(held)) && (await ended(unchecked)), 90_000);
    });

    expect(await bulkState(held)).toBe('FAILED');
    expect(await line(held, 2)).toMatchObject({ status: 'FAILED', failure_code: 'name_mismatch_rejected' });
    const details = await bulkDetails(server, held, fund.superviseur.token);
    expect(details.body.individual_transfers[0].hold).toMatchObject({ decision: 'expired', decided_by: null });
    expect(await bulkState(unchecked)).toBe('COMPLETED');
    expect(await line(unchecked, 2)).toMatchObject({ status: 'COMPLETED' });
    expect(await accountMoney(db(), fund.account.id)).toEqual({ balance: 1_000_000n - 18000n, reserved: 0n });
    await expectJournalAgrees(db(), fund.account.id);
  });
});
