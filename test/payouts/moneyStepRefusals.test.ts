/**
 * The money step's own refusals, each on a line as the database can hold it after something went wrong before it: a
 * quote recorded without its figures, a quote whose figures cannot be read, a payee whose name failed the check and
 * was never released, and a line that was sent when its workflow gives up. None of them sends anything, and a sent
 * line is never failed by giving up. The steps run as the worker runs them (MockActivityEnvironment gives them their
 * activity context), against the real database and the real peer.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { PayoutAdapter } from '../../activities';
import { createTransferActivities } from '../../activities/payouts/transferActivities';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { expectJournalAgrees } from '../support/journalInvariant';
import { uniqueMsisdns } from '../support/payees';
import {
  accountMoney,
  adapterClient,
  countingAdapter,
  createPayerAccount,
  insertBulk,
  type RunningPeer,
  useMojaloopPeer,
} from '../support/payoutHarness';

const AMOUNT = 5000n;
const xof = (amount: bigint) => ({ amount: amount.toString(), currency: 'XOF' });

describe("the money step's own refusals", () => {
  let peer: RunningPeer;
  let counting: ReturnType<typeof countingAdapter>;

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    counting = countingAdapter(adapterClient(peer.outboundUrl));
  });

  afterAll(async () => {
    await peer?.stop();
    await closeDb();
  });

  function steps(adapter: PayoutAdapter = counting.adapter) {
    return createTransferActivities({
      db: db(),
      adapter,
      settings: { maxFeeMinorUnits: config().mojaloop.maxFeeMinorUnits, payoutConcurrency: 1, pageSize: 10 },
    });
  }

  function run<A extends unknown[], R>(step: (...args: A) => Promise<R>, ...args: A): Promise<R> {
    return new MockActivityEnvironment().run(step, ...args);
  }

  /** A bulk of one line, its payee found (adapter transfer `ml-<n>`) and, unless told, its quote recorded in full. */
  async function quotedLine(columns: Record<string, unknown> = {}) {
    const payer = await createPayerAccount(db(), 100_000n);
    const [msisdn] = uniqueMsisdns(1);
    const bulk = await insertBulk(db(), payer, [{ msisdn, amount: AMOUNT }], { state: 'PROCESSING' });
    const transferId = bulk.transferIds[0]!;
    await db()
      .table('individual_transfers')
      .where('transfer_id', transferId)
      .update({
        status: 'PROCESSING',
        mojaloop_transfer_id: `ml-${transferId}`,
        quote_id: `q-${transferId}`,
        quote_figures: JSON.stringify({ transferAmount: xof(AMOUNT), payeeReceiveAmount: xof(AMOUNT), fee: xof(0n) }),
        ...columns,
      });
    return { payer, transferId };
  }

  const lineOf = (transferId: string) => db()('individual_transfers').where('transfer_id', transferId).first();
  const sendsOf = (transferId: string) => counting.calls.acceptQuote.filter((id) => id === `ml-${transferId}`);

  it('a quote recorded without its figures is refused at the send: FAILED quote_mismatch, nothing sent, money released', async () => {
    const { payer, transferId } = await quotedLine({ quote_figures: null });

    expect(await run(steps().confirmTransfer, transferId)).toEqual({ status: 'FAILED', failureCode: 'quote_mismatch' });

    expect(sendsOf(transferId)).toEqual([]);
    expect(await lineOf(transferId)).toMatchObject({ status: 'FAILED', transfer_sent_at: null });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('a quote whose figures cannot be read fails the line unsent (never read as "no fee")', async () => {
    const { payer, transferId } = await quotedLine();
    // The payee found for real, then its quote's answer corrupted on the way (a fault, as the fault proxy injects).
    await db()('individual_transfers')
      .where('transfer_id', transferId)
      .update({ mojaloop_transfer_id: null, quote_id: null, quote_figures: null });
    const corrupting: PayoutAdapter = {
      ...counting.adapter,
      acceptParty: async (adapterTransferId) => {
        const quote = await counting.adapter.acceptParty(adapterTransferId);
        return { ...quote, payeeFspFee: { amount: 'cinq cents', currency: 'XOF' } };
      },
    };
    const discovered = await run(steps(corrupting).discoverPayee, transferId);
    expect(discovered).toMatchObject({ status: 'PROCESSING' });

    expect(await run(steps(corrupting).requestQuote, transferId)).toEqual({
      status: 'FAILED',
      failureCode: 'quote_mismatch',
    });

    const line = await lineOf(transferId);
    expect(line).toMatchObject({ status: 'FAILED', quote_id: null, quote_figures: null, transfer_sent_at: null });
    expect(line.failure_message).toMatch(/cannot be read/);
    expect(counting.calls.acceptQuote.filter((id) => id === line.mojaloop_transfer_id)).toEqual([]);
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: 0n });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('a payee whose name failed the check and was never released is not sent: PayeeNotVerified, the line as it was', async () => {
    const { payer, transferId } = await quotedLine({
      expected_payee_name: 'Koffi Mensah',
      payee_name: 'Awa Traoré',
      name_match_score: 0,
    });

    const refused = await run(steps().confirmTransfer, transferId).then(
      () => null,
      (error: unknown) => error,
    );

    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: 'PayeeNotVerified', nonRetryable: true });
    expect(sendsOf(transferId)).toEqual([]);
    expect(await lineOf(transferId)).toMatchObject({ status: 'PROCESSING', transfer_sent_at: null });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: AMOUNT });
    await expectJournalAgrees(db(), payer.accountId);
  });

  it('giving up on a line that was sent changes nothing: its outcome must be learnt, not assumed', async () => {
    const { payer, transferId } = await quotedLine({
      transfer_sent_at: db().fn.now(),
      transfer_expiration: db().raw("now() + interval '90 seconds'"),
    });

    const result = await run(
      steps().failTransfer,
      transferId,
      'switch_unavailable',
      'The Mojaloop switch stayed unreachable',
    );

    // PROCESSING: the line workflow then ends TransferSent for a human, and the bulk keeps the line open.
    expect(result).toEqual({ status: 'PROCESSING' });
    expect(await lineOf(transferId)).toMatchObject({ status: 'PROCESSING', failure_code: null });
    expect(await accountMoney(db(), payer.accountId)).toEqual({ balance: 100_000n, reserved: AMOUNT });
    await expectJournalAgrees(db(), payer.accountId);
  });
});
