/**
 * The API's request id follows a bulk it starts: from the upload's X-Request-Id into the bulk workflow's memo
 * (kept across continue-as-new), from there into every line workflow's memo, and into the log lines of the line's
 * activities, next to the bulk, the transfer, the workflow and the activity attempt. Real API (in process), real
 * Temporal, real Mojaloop peer, real pino writing to a stream the test reads.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { closeDb, db } from '../support/database';
import { createBulkTestApp, createFund, CSV_HEADER, type Fund, upload } from '../support/bulkFixtures';
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
import { workflowIdForBulk, workflowIdForLine } from '../../src/payouts/contract';

interface LogLine {
  msg: string;
  level: number;
  requestId?: string;
  bulkId?: string;
  transferId?: string;
  workflowId?: string;
  activity?: string;
  activityAttempt?: number;
  status?: string;
}

describe('request id from the upload to the activity logs', () => {
  const taskQueue = uniqueTaskQueue('request-id');
  const { server } = createBulkTestApp({}, taskQueue);
  const logLines: LogLine[] = [];
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let log: pino.Logger;
  let fund: Fund;

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    fund = await createFund(server, { balance: 10_000_000n });
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const text of chunk.toString('utf8').split('\n'))
        if (text.trim()) logLines.push(JSON.parse(text) as LogLine);
    });
    log = pino({ level: 'info' }, stream);
  });

  afterAll(async () => {
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  async function uploadAndPay(
    requestIdHeader: string | null,
    lines: number,
  ): Promise<{ bulkId: string; answeredRequestId: string | undefined; transferIds: string[] }> {
    const seed = randomUUID().replace(/\D/g, '').slice(0, 5).padEnd(5, '7');
    const csv =
      CSV_HEADER +
      Array.from({ length: lines }, (_, i) => `MSISDN,2297${seed}${String(i).padStart(3, '0')},XOF,${1000 + i}\n`).join(
        '',
      );
    const call = upload(server, fund.gestionnaire.token, csv);
    if (requestIdHeader !== null) call.set('X-Request-Id', requestIdHeader);
    const response = await call.expect(202);
    const bulkId: string = response.body.bulkTransferId;
    // A Temporal Worker runs once (runUntil shuts it down): one per bulk. pageSize 2: a 5-line bulk
    // continues-as-new twice, so the memo must survive that to reach the last lines.
    const worker = await payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      settings: { payoutConcurrency: 2, pageSize: 2 },
      log,
    });
    await worker.runUntil(async () => {
      await waitFor(async () => {
        const row = await db()('bulk_transfers').where('bulk_id', bulkId).first('state');
        return row.state === 'COMPLETED' || row.state === 'FAILED';
      }, 90_000);
      // The bulk row closes inside the workflow's last activity: wait for the workflow itself to end.
      await temporal.client.workflow.getHandle(workflowIdForBulk(bulkId)).result();
    });
    const transferIds = (
      await db()('individual_transfers').where('bulk_id', bulkId).orderBy('line_number').select('transfer_id')
    ).map((row: { transfer_id: string }) => row.transfer_id);
    return { bulkId, answeredRequestId: response.headers['x-request-id'], transferIds };
  }

  it("puts the caller's X-Request-Id in the bulk's and every line's memo and on every activity log line", async () => {
    const requestId = `trace-${randomUUID()}`;
    const { bulkId, answeredRequestId, transferIds } = await uploadAndPay(requestId, 5);
    expect(answeredRequestId).toBe(requestId);

    // The bulk's latest run (after two continue-as-new) still carries it.
    const bulk = await temporal.client.workflow.getHandle(workflowIdForBulk(bulkId)).describe();
    expect(bulk.status.name).toBe('COMPLETED');
    expect(bulk.raw.workflowExecutionInfo?.firstRunId).toBeTruthy();
    expect(bulk.runId).not.toBe(bulk.raw.workflowExecutionInfo?.firstRunId);
    expect(bulk.memo).toEqual({ requestId });

    // Lines 2..6 (line 1 is the header): the first and the last were started by different runs of the bulk.
    for (const lineNumber of [2, 6]) {
      const line = await temporal.client.workflow.getHandle(workflowIdForLine(bulkId, lineNumber)).describe();
      expect(line.memo).toEqual({ requestId });
    }

    // Every line was paid; each of its three activities logged, on every attempt it made (retries happen on a
    // loaded machine: each attempt logs lines of its own, numbered), the request id next to the bulk, the
    // transfer, the line's workflow and the attempt; the money-moving step logged the line's COMPLETED outcome.
    const statuses = await db()('individual_transfers')
      .where('bulk_id', bulkId)
      .orderBy('line_number')
      .select('status');
    expect(statuses.map((row: { status: string }) => row.status)).toEqual(transferIds.map(() => 'COMPLETED'));
    for (const [index, transferId] of transferIds.entries()) {
      const ofTransfer = logLines.filter((line) => line.transferId === transferId);
      for (const line of ofTransfer) {
        expect(line).toEqual(
          expect.objectContaining({
            requestId,
            bulkId,
            transferId,
            workflowId: workflowIdForLine(bulkId, index + 2),
            activity: expect.stringMatching(/^(discoverPayee|requestQuote|confirmTransfer)$/),
          }),
        );
        expect(Number.isInteger(line.activityAttempt) && line.activityAttempt! >= 1).toBe(true);
      }
      expect([...new Set(ofTransfer.map((line) => line.activity))].sort()).toEqual([
        'confirmTransfer',
        'discoverPayee',
        'requestQuote',
      ]);
      // Attempts are numbered from 1 without a gap: each attempt of each activity logged.
      for (const activity of ['discoverPayee', 'requestQuote', 'confirmTransfer']) {
        const attempts = [
          ...new Set(ofTransfer.filter((line) => line.activity === activity).map((line) => line.activityAttempt!)),
        ].sort((a, b) => a - b);
        expect(attempts).toEqual(attempts.map((_, position) => position + 1));
      }
      const outcome = ofTransfer.filter((line) => line.activity === 'confirmTransfer' && line.status !== undefined);
      expect(outcome.length).toBeGreaterThanOrEqual(1);
      expect(outcome.every((line) => line.status === 'COMPLETED')).toBe(true);
    }
    // And no log line of this bulk lacks the request id.
    const ofBulk = logLines.filter((line) => line.bulkId === bulkId);
    expect(ofBulk.length).toBeGreaterThanOrEqual(3 * transferIds.length);
    expect(ofBulk.filter((line) => line.requestId !== requestId)).toEqual([]);
  });

  it('uses the id the API answered when the offered one is unusable, never the unusable one', async () => {
    const { bulkId, answeredRequestId } = await uploadAndPay('not a valid id; drop table', 1);
    expect(answeredRequestId).toMatch(/^[0-9a-f-]{36}$/);
    const bulk = await temporal.client.workflow.getHandle(workflowIdForBulk(bulkId)).describe();
    expect(bulk.memo).toEqual({ requestId: answeredRequestId });
    const line = await temporal.client.workflow.getHandle(workflowIdForLine(bulkId, 2)).describe();
    expect(line.memo).toEqual({ requestId: answeredRequestId });
    const ofBulk = logLines.filter((entry) => entry.bulkId === bulkId);
    expect(new Set(ofBulk.map((entry) => entry.activity))).toEqual(
      new Set(['discoverPayee', 'requestQuote', 'confirmTransfer']),
    );
    expect(ofBulk.filter((entry) => entry.requestId !== answeredRequestId)).toEqual([]);
  });
});
