/**
 * Upload to payment to status, end to end: a file uploaded through the API is paid by the real payout worker
 * through the real Mojaloop peer, and /status reads the workflow's live count while it runs, then the database.
 */
import request from 'supertest';
import type { Worker } from '@temporalio/worker';
import { closeDb, db } from '../support/database';
import { authHeader } from '../support/fixtures';
import { createBulkTestApp, createFund, CSV_HEADER, snapshot, upload } from '../support/bulkFixtures';
import { type BulkPayoutResult, workflowIdForBulk } from '../../src/payouts/contract';
import { barrier } from '../support/barrier';
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

describe('status of a bulk being paid', () => {
  const taskQueue = uniqueTaskQueue('bulk-read-live');
  // Waits long for the live count, so the test sees it even on a loaded machine (the default is 50 ms).
  const { server } = createBulkTestApp({ BULK_STATUS_LIVE_WAIT_MS: '2000' }, taskQueue);
  const { server: databaseOnly } = createBulkTestApp({ BULK_STATUS_LIVE_WAIT_MS: '0' }, taskQueue);
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let worker: Worker;
  // Every discovery waits at the adapter's door until the test has read the status: the bulk surely still runs
  // while it reads, however fast the machine pays.
  const read = barrier();
  const firstLineHeld = barrier();
  const arrived: string[] = [];

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    const real = adapterClient(peer.outboundUrl);
    // One line at a time: while the first is held, the other three are not started.
    worker = await payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: {
        startTransfer: async (request) => {
          arrived.push(request.homeTransactionId);
          firstLineHeld.open();
          await read.promise;
          return real.startTransfer(request);
        },
        acceptParty: (transferId) => real.acceptParty(transferId),
        acceptQuote: (transferId) => real.acceptQuote(transferId),
        getTransfer: (transferId) => real.getTransfer(transferId),
      },
      settings: { payoutConcurrency: 1 },
    });
  });

  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  it('answers from the workflow while it runs and from the database once it has closed', async () => {
    const fund = await createFund(server, { balance: 100_000n });
    const csv = `${CSV_HEADER}MSISDN,22997000501,XOF,1000\nMSISDN,22997000502,XOF,2000\nMSISDN,22990000404,XOF,3000\nMSISDN,22997000503,XOF,4000\n`;
    const status = async () =>
      (
        await request(server)
          .get(`/api/bulk-transfers/${bulkId}/status`)
          .set(authHeader(fund.superviseur.token))
          .expect(200)
      ).body;

    const uploaded = await upload(server, fund.gestionnaire.token, csv).expect(202);
    const bulkId: string = uploaded.body.bulkTransferId;

    const result = await worker.runUntil(async () => {
      try {
        await firstLineHeld.promise;
        // The first line is at the adapter's door (held), the others wait their turn: the workflow's count says so.
        // A read may fall back to the database when the worker is slow to answer: read again, the bulk still runs.
        const live = await waitFor(
          async () => {
            const body = await status();
            return body.source === 'workflow' ? body : null;
          },
          60_000,
          100,
        );
        expect(live).toMatchObject({
          bulkTransferId: bulkId,
          state: 'PROCESSING',
          total: 4,
          completed: 0,
          failed: 0,
          processing: 1,
          pending: 3,
        });

        // Not waiting for the workflow: the same bulk, counted by Postgres (the held line is not discovered yet).
        const counted = (
          await request(databaseOnly)
            .get(`/api/bulk-transfers/${bulkId}/status`)
            .set(authHeader(fund.superviseur.token))
            .expect(200)
        ).body;
        expect(counted).toMatchObject({
          bulkTransferId: bulkId,
          state: 'PROCESSING',
          total: 4,
          completed: 0,
          failed: 0,
          processing: 0,
          pending: 4,
          source: 'database',
        });
        expect(arrived).toHaveLength(1);
      } finally {
        read.open();
      }
      return temporal.client.workflow.getHandle<() => Promise<BulkPayoutResult>>(workflowIdForBulk(bulkId)).result();
    });

    expect(result).toEqual({ bulkId, state: 'COMPLETED', total: 4, completed: 3, failed: 1 });
    expect(await status()).toMatchObject({
      state: 'COMPLETED',
      total: 4,
      completed: 3,
      failed: 1,
      pending: 0,
      processing: 0,
      progress_percent: 100,
      source: 'database',
    });
    // Paid lines left the account; the failed one's reservation came back.
    expect(await snapshot(fund)).toMatchObject({ reserved: '0', balance: String(100_000 - 1000 - 2000 - 4000) });
  }, 150_000);
});
