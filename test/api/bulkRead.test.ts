import request from 'supertest';
import { closeDb, db } from '../support/database';
import { authHeader } from '../support/fixtures';
import { createBulkTestApp, createFund, CSV_HEADER, type Fund, upload } from '../support/bulkFixtures';

const { server } = createBulkTestApp();

afterAll(closeDb);

let fund: Fund;
let otherFund: Fund;
/** Oldest first: January (COMPLETED, 2 paid 1 failed), February (FAILED), today (PENDING). */
let january: string;
let february: string;
let today: string;

async function uploadBulk(token: string, csv: string, fileName: string): Promise<string> {
  const response = await upload(server, token, csv, { fileName }).expect(202);
  return response.body.bulkTransferId as string;
}

async function setLine(bulkId: string, lineNumber: number, columns: Record<string, unknown>): Promise<void> {
  await db()('individual_transfers').where({ bulk_id: bulkId, line_number: lineNumber }).update(columns);
}

beforeAll(async () => {
  fund = await createFund(server);
  otherFund = await createFund(server);

  january = await uploadBulk(
    fund.gestionnaire.token,
    `${CSV_HEADER}MSISDN,22997100001,XOF,1000\nMSISDN,22997100002,XOF,2000\nMSISDN,22997100003,XOF,3000\n`,
    'janvier.csv',
  );
  february = await uploadBulk(fund.gestionnaire.token, `${CSV_HEADER}MSISDN,22997200001,XOF,500\n`, 'fevrier.csv');
  today = await uploadBulk(
    fund.gestionnaire.token,
    `${CSV_HEADER}MSISDN,22997300001,XOF,700\nMSISDN,22997300002,XOF,800\n`,
    'aujourdhui.csv',
  );
  await uploadBulk(otherFund.gestionnaire.token, `${CSV_HEADER}MSISDN,22997400001,XOF,900\n`, 'autre.csv');

  // What the workflows would have done (none runs: the test app's task queue has no worker).
  await setLine(january, 2, {
    status: 'COMPLETED',
    payee_name: 'Awa Kpété',
    payee_fsp_id: 'mtnbenin',
    fee_amount: 25,
    mojaloop_transfer_id: 'ml-1',
    completed_at: '2026-01-10T12:10:00Z',
  });
  await setLine(january, 3, { status: 'COMPLETED', completed_at: '2026-01-10T12:11:00Z' });
  await setLine(january, 4, {
    status: 'FAILED',
    failure_code: '3204',
    failure_message: 'Party not found',
    completed_at: '2026-01-10T12:12:00Z',
  });
  await db()('bulk_transfers').where('bulk_id', january).update({
    state: 'COMPLETED',
    created_at: '2026-01-10T12:00:00Z',
    completed_at: '2026-01-10T12:30:00Z',
  });
  await setLine(february, 2, { status: 'FAILED', failure_code: '5100' });
  await db()('bulk_transfers').where('bulk_id', february).update({
    state: 'FAILED',
    created_at: '2026-02-15T08:00:00Z',
    completed_at: '2026-02-15T09:00:00Z',
    failure_reason: 'None of the 1 transfers was paid.',
  });
  await setLine(today, 2, { status: 'PROCESSING' });
});

function history(token: string, query: Record<string, string> = {}): request.Test {
  return request(server).get('/api/bulk-transfers/history').query(query).set(authHeader(token));
}

describe('GET /api/bulk-transfers/history', () => {
  it("lists the organization's bulks newest first, with their counts (a SUPERVISEUR may read)", async () => {
    const response = await history(fund.superviseur.token).expect(200);
    expect(response.body).toMatchObject({ total: 3, count: 3, limit: 50, offset: 0 });
    expect(response.body.results.map((entry: { bulk_id: string }) => entry.bulk_id)).toEqual([
      today,
      february,
      january,
    ]);
    expect(response.body.results[2]).toEqual({
      id: expect.any(Number),
      bulk_id: january,
      payer_account: fund.account.account_id,
      total_amount: 6000,
      currency: 'XOF',
      state: 'COMPLETED',
      created_at: '2026-01-10T12:00:00.000Z',
      completed_at: '2026-01-10T12:30:00.000Z',
      transfers_count: 3,
      completed_count: 2,
      failed_count: 1,
      file_name: 'janvier.csv',
    });
    expect(response.body.results[0]).toMatchObject({
      state: 'PENDING',
      completed_at: null,
      completed_count: 0,
      failed_count: 0,
    });
  });

  it('filters by state and by inclusive dates', async () => {
    const ids = async (query: Record<string, string>): Promise<string[]> =>
      (await history(fund.gestionnaire.token, query).expect(200)).body.results.map(
        (entry: { bulk_id: string }) => entry.bulk_id,
      );
    expect(await ids({ state: 'COMPLETED' })).toEqual([january]);
    expect(await ids({ state: 'FAILED' })).toEqual([february]);
    expect(await ids({ start_date: '2026-01-01', end_date: '2026-02-28' })).toEqual([february, january]);
    expect(await ids({ start_date: '2026-01-10', end_date: '2026-01-10' })).toEqual([january]);
    expect(await ids({ start_date: '2026-01-11', end_date: '2026-02-14' })).toEqual([]);
    expect(await ids({ end_date: '2026-01-31' })).toEqual([january]);
    expect(await ids({ start_date: '2026-02-16' })).toEqual([today]);
  });

  it('pages with limit and offset, the total counting every match', async () => {
    const response = await history(fund.gestionnaire.token, { limit: '1', offset: '1' }).expect(200);
    expect(response.body).toMatchObject({ total: 3, count: 1, limit: 1, offset: 1 });
    expect(response.body.results[0].bulk_id).toBe(february);
    expect((await history(fund.gestionnaire.token, { offset: '10' }).expect(200)).body).toMatchObject({
      total: 3,
      count: 0,
      results: [],
    });
  });

  it.each([
    [{ state: 'DONE' }, 'state'],
    [{ start_date: '2026-02-30' }, 'start_date'],
    [{ start_date: '10/01/2026' }, 'start_date'],
    [{ end_date: '2026-1-5' }, 'end_date'],
    [{ start_date: '2026-02-01', end_date: '2026-01-01' }, 'end_date'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: 'abc' }, 'limit'],
    [{ offset: '-1' }, 'offset'],
  ])('refuses %j with 400 invalid_filter naming %s', async (query, field) => {
    const response = await history(fund.gestionnaire.token, query).expect(400);
    expect(response.body.error).toMatchObject({ code: 'invalid_filter', details: { field } });
  });

  it("shows only the caller's organization", async () => {
    const response = await history(otherFund.superviseur.token).expect(200);
    expect(response.body.total).toBe(1);
    expect(response.body.results[0].file_name).toBe('autre.csv');
  });

  it('requires a token', async () => {
    await request(server).get('/api/bulk-transfers/history').expect(401);
  });
});

describe('GET /api/bulk-transfers/:bulk_id/details', () => {
  it('shows the bulk, its statistics and its lines in file order (a SUPERVISEUR may read)', async () => {
    const response = await request(server)
      .get(`/api/bulk-transfers/${january}/details`)
      .set(authHeader(fund.superviseur.token))
      .expect(200);
    expect(response.body).toMatchObject({
      bulk_id: january,
      payer_account: {
        account_id: fund.account.account_id,
        party_id_type: fund.account.party_id_type,
        party_identifier: fund.account.party_identifier,
      },
      organization: { code: fund.organization.code, name: fund.organization.name },
      state: 'COMPLETED',
      total_amount: 6000,
      currency: 'XOF',
      created_at: '2026-01-10T12:00:00.000Z',
      completed_at: '2026-01-10T12:30:00.000Z',
      failure_reason: null,
      statistics: { total: 3, completed: 2, failed: 1, pending: 0, processing: 0, success_rate: 66.67 },
      individual_transfers_count: 3,
    });
    expect(response.body.individual_transfers).toHaveLength(3);
    expect(response.body.individual_transfers[0]).toEqual({
      id: expect.any(Number),
      transfer_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      line_number: 2,
      payee_party_id_type: 'MSISDN',
      payee_party_identifier: '22997100001',
      payee_name: 'Awa Kpété',
      payee_fsp_id: 'mtnbenin',
      amount: 1000,
      currency: 'XOF',
      fee_amount: 25,
      status: 'COMPLETED',
      attempt: 1,
      mojaloop_transfer_id: 'ml-1',
      failure_code: null,
      failure_message: null,
      completed_at: '2026-01-10T12:10:00.000Z',
      expected_payee_name: null,
      name_match_score: null,
      hold: null,
    });
    expect(response.body.individual_transfers[2]).toMatchObject({
      line_number: 4,
      status: 'FAILED',
      failure_code: '3204',
      failure_message: 'Party not found',
    });
  });

  it('pages the lines with limit and offset', async () => {
    const response = await request(server)
      .get(`/api/bulk-transfers/${january}/details`)
      .query({ limit: '1', offset: '1' })
      .set(authHeader(fund.gestionnaire.token))
      .expect(200);
    expect(response.body.individual_transfers.map((line: { line_number: number }) => line.line_number)).toEqual([3]);
    expect(response.body.individual_transfers_count).toBe(3);
    await request(server)
      .get(`/api/bulk-transfers/${january}/details`)
      .query({ limit: '1001' })
      .set(authHeader(fund.gestionnaire.token))
      .expect(400);
  });

  it('shows why a failed bulk failed', async () => {
    const response = await request(server)
      .get(`/api/bulk-transfers/${february}/details`)
      .set(authHeader(fund.gestionnaire.token))
      .expect(200);
    expect(response.body).toMatchObject({
      state: 'FAILED',
      failure_reason: 'None of the 1 transfers was paid.',
      statistics: { success_rate: 0, failed: 1 },
    });
  });

  it("answers 404 for another organization's bulk, an unknown id and a malformed id", async () => {
    for (const path of [
      `/api/bulk-transfers/${january}/details`,
      '/api/bulk-transfers/00000000-0000-4000-8000-000000000000/details',
      '/api/bulk-transfers/123/details',
    ]) {
      const response = await request(server).get(path).set(authHeader(otherFund.gestionnaire.token)).expect(404);
      expect(response.body.error.code).toBe('not_found');
    }
  });
});

describe('GET /api/bulk-transfers/:bulk_id/status', () => {
  it('reads the counts of a closed bulk from the database', async () => {
    const response = await request(server)
      .get(`/api/bulk-transfers/${january}/status`)
      .set(authHeader(fund.superviseur.token))
      .expect(200);
    expect(response.body).toEqual({
      bulkTransferId: january,
      state: 'COMPLETED',
      total: 3,
      completed: 2,
      failed: 1,
      pending: 0,
      processing: 0,
      held: 0,
      progress_percent: 100,
      source: 'database',
      individualTransfers: [
        { transfer_id: expect.any(String), line_number: 2, status: 'COMPLETED', failure_code: null },
        { transfer_id: expect.any(String), line_number: 3, status: 'COMPLETED', failure_code: null },
        { transfer_id: expect.any(String), line_number: 4, status: 'FAILED', failure_code: '3204' },
      ],
    });
  });

  it('limits the lines listed with limit', async () => {
    const response = await request(server)
      .get(`/api/bulk-transfers/${january}/status`)
      .query({ limit: '2' })
      .set(authHeader(fund.gestionnaire.token))
      .expect(200);
    expect(response.body.individualTransfers.map((line: { line_number: number }) => line.line_number)).toEqual([2, 3]);
  });

  it('answers for a running bulk whose workflow has no worker yet, from the database', async () => {
    const response = await request(server)
      .get(`/api/bulk-transfers/${today}/status`)
      .set(authHeader(fund.gestionnaire.token))
      .expect(200);
    expect(response.body).toMatchObject({
      state: 'PENDING',
      total: 2,
      completed: 0,
      failed: 0,
      pending: 1,
      processing: 1,
      progress_percent: 0,
      source: 'database',
    });
  });

  it("answers 404 for another organization's bulk and a malformed id", async () => {
    await request(server)
      .get(`/api/bulk-transfers/${today}/status`)
      .set(authHeader(otherFund.superviseur.token))
      .expect(404);
    await request(server)
      .get('/api/bulk-transfers/not-a-uuid/status')
      .set(authHeader(fund.superviseur.token))
      .expect(404);
  });
});
