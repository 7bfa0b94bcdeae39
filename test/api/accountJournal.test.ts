/**
 * The account journal against the real database and the real API: the rows each money path writes (upload,
 * settlement, cancel, retry-failed), Postgres refusing to change or delete a row, deposits and their
 * Idempotency-Key, and the accounts routes (list, statement: paging, dates, CSV, who may read what).
 *
 * Bulks are uploaded through the API on a task queue no worker polls (test/support/bulkFixtures.ts), and their
 * lines then moved by the ledger's own functions, as the activities would: nothing here waits on a clock.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { closeDb, db } from '../support/database';
import { beginBulk, cancelBulk, closeBulk, retryFailedLines } from '../../src/payouts/store/bulkStore';
import { recordPayeeDiscovered, settleTransfer } from '../../src/payouts/store/lineStore';
import { createBulkTestApp, createFund, CSV_HEADER, type Fund, upload } from '../support/bulkFixtures';
import { authHeader, createAccount, createUser, loginAs } from '../support/fixtures';
import { expectJournalAgrees } from '../support/journalInvariant';
import { conforms } from '../support/openApiContract';

const { server } = createBulkTestApp();

afterAll(closeDb);

interface JournalEntry {
  kind: string;
  amount: string;
  bulk_id: string | null;
  transfer_id: string | null;
  attempt: number | null;
  balance_after: string;
  reserved_after: string;
}

async function journalOf(accountId: number): Promise<JournalEntry[]> {
  return db()('account_journal')
    .where('account_id', accountId)
    .orderBy('id')
    .select('kind', 'amount', 'bulk_id', 'transfer_id', 'attempt', 'balance_after', 'reserved_after');
}

async function linesOf(bulkId: string): Promise<Array<{ transfer_id: string; line_number: number; amount: string }>> {
  return db()('individual_transfers')
    .where('bulk_id', bulkId)
    .orderBy('line_number')
    .select('transfer_id', 'line_number', 'amount');
}

async function uploadBulk(fund: Fund, amounts: number[]): Promise<string> {
  const seed = randomUUID().replace(/\D/g, '').slice(0, 5).padEnd(5, '3');
  const rows = amounts.map((amount, index) => `MSISDN,2299${seed}${String(index).padStart(2, '0')},XOF,${amount}\n`);
  const response = await upload(server, fund.gestionnaire.token, CSV_HEADER + rows.join('')).expect(202);
  return response.body.bulkTransferId as string;
}

async function staffToken(organizationId: number): Promise<string> {
  const staff = await createUser({ organizationId, role: 'GESTIONNAIRE', isStaff: true });
  return loginAs(server, staff.email, staff.password);
}

function deposit(token: string, accountId: string, body: unknown, key: string | null = randomUUID()): request.Test {
  const call = request(server).post(`/api/accounts/${accountId}/deposits`).set(authHeader(token));
  if (key !== null) call.set('Idempotency-Key', key);
  return call.send(body as object);
}

function statement(token: string, accountId: string, query: Record<string, string> = {}): request.Test {
  return request(server).get(`/api/accounts/${accountId}/statement`).query(query).set(authHeader(token));
}

describe('what each money path writes to the journal', () => {
  it('upload reserves, a paid line is one debit, a failed line one release, a cancel one release per line, a retry reserves again', async () => {
    const fund = await createFund(server, { balance: 100_000n });
    const bulkId = await uploadBulk(fund, [1000, 2000, 3000, 4000]);
    const [paid, failed, cancelled, alsoCancelled] = await linesOf(bulkId);
    await beginBulk(db(), bulkId, 60_000);

    // Paid: PROCESSING, then COMPLETED (settled twice, as a retried activity would: one debit all the same).
    await recordPayeeDiscovered(db(), paid!.transfer_id, {
      mojaloopTransferId: randomUUID(),
      payeeName: null,
      payeeFspId: null,
    });
    for (let i = 0; i < 2; i += 1)
      await settleTransfer(db(), paid!.transfer_id, { status: 'COMPLETED', fulfilment: null, completedAt: null });
    await settleTransfer(db(), failed!.transfer_id, {
      status: 'FAILED',
      failureCode: 'switch_unavailable',
      failureMessage: 'never reached',
    });
    await cancelBulk(db(), bulkId, { kind: 'user', userId: fund.gestionnaire.id, requestId: null });
    await closeBulk(db(), bulkId);

    expect(await journalOf(fund.account.id)).toEqual([
      {
        kind: 'fund',
        amount: '100000',
        bulk_id: null,
        transfer_id: null,
        attempt: null,
        balance_after: '100000',
        reserved_after: '0',
      },
      {
        kind: 'reserve',
        amount: '10000',
        bulk_id: bulkId,
        transfer_id: null,
        attempt: null,
        balance_after: '100000',
        reserved_after: '10000',
      },
      {
        kind: 'debit',
        amount: '1000',
        bulk_id: bulkId,
        transfer_id: paid!.transfer_id,
        attempt: 1,
        balance_after: '99000',
        reserved_after: '9000',
      },
      {
        kind: 'release',
        amount: '2000',
        bulk_id: bulkId,
        transfer_id: failed!.transfer_id,
        attempt: 1,
        balance_after: '99000',
        reserved_after: '7000',
      },
      {
        kind: 'release',
        amount: '3000',
        bulk_id: bulkId,
        transfer_id: cancelled!.transfer_id,
        attempt: 1,
        balance_after: '99000',
        reserved_after: '4000',
      },
      {
        kind: 'release',
        amount: '4000',
        bulk_id: bulkId,
        transfer_id: alsoCancelled!.transfer_id,
        attempt: 1,
        balance_after: '99000',
        reserved_after: '0',
      },
    ]);
    await expectJournalAgrees(db(), fund.account.id);

    // retry-failed: only the switch_unavailable line, reserved again for its attempt 2, then failed again.
    await retryFailedLines(db(), bulkId, {
      requestId: randomUUID(),
      by: { kind: 'user', userId: fund.gestionnaire.id, requestId: null },
    });
    await expectJournalAgrees(db(), fund.account.id);
    await settleTransfer(db(), failed!.transfer_id, {
      status: 'FAILED',
      failureCode: '5104',
      failureMessage: 'refused again',
    });
    expect((await journalOf(fund.account.id)).slice(6)).toEqual([
      {
        kind: 'reserve',
        amount: '2000',
        bulk_id: bulkId,
        transfer_id: null,
        attempt: null,
        balance_after: '99000',
        reserved_after: '2000',
      },
      {
        kind: 'release',
        amount: '2000',
        bulk_id: bulkId,
        transfer_id: failed!.transfer_id,
        attempt: 2,
        balance_after: '99000',
        reserved_after: '0',
      },
    ]);
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('a refused upload (insufficient funds) leaves no journal row', async () => {
    const fund = await createFund(server, { balance: 5000n });
    await upload(server, fund.gestionnaire.token, `${CSV_HEADER}MSISDN,22997000001,XOF,5001\n`).expect(422);
    expect(await journalOf(fund.account.id)).toHaveLength(1);
    await expectJournalAgrees(db(), fund.account.id);
  });
});

describe('the journal is append-only, in Postgres itself', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of its rows', async () => {
    const fund = await createFund(server, { balance: 1000n });
    const rows = db()('account_journal').where('account_id', fund.account.id);
    await expect(rows.clone().update({ amount: '999999' })).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(rows.clone().del()).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db().raw('truncate account_journal')).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await journalOf(fund.account.id)).toEqual([expect.objectContaining({ kind: 'fund', amount: '1000' })]);
  });
});

describe('POST /api/accounts/{account_id}/deposits', () => {
  let fund: Fund;
  let staff: string;

  beforeAll(async () => {
    fund = await createFund(server, { balance: 0n });
    staff = await staffToken(fund.organization.id);
  });

  it('records a deposit once per Idempotency-Key: the same deposit again answers the same entry', async () => {
    const key = randomUUID();
    const first = conforms(
      await deposit(staff, fund.account.account_id, { amount: 250_000, reference: 'VIR-2026-11-001' }, key).expect(201),
      'post',
      '/api/accounts/{account_id}/deposits',
    );
    expect(first.body).toMatchObject({
      account_id: fund.account.account_id,
      currency: 'XOF',
      idempotency_key: key,
      kind: 'fund',
      amount: 250_000,
      reference: 'VIR-2026-11-001',
      balance_after: 250_000,
      reserved_after: 0,
      bulk_id: null,
      transfer_id: null,
    });
    const again = conforms(
      await deposit(staff, fund.account.account_id, { amount: 250_000, reference: 'VIR-2026-11-001' }, key).expect(200),
      'post',
      '/api/accounts/{account_id}/deposits',
    );
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);

    expect((await journalOf(fund.account.id)).filter((row) => row.kind === 'fund')).toHaveLength(1);
    expect(await db()('accounts').where('id', fund.account.id).first('balance', 'reserved')).toEqual({
      balance: '250000',
      reserved: '0',
    });
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('refuses the same key for a different deposit (409 idempotency_key_reused) and adds nothing', async () => {
    const key = randomUUID();
    const first = await deposit(staff, fund.account.account_id, { amount: 1000, reference: 'VIR-A' }, key).expect(201);
    const other = conforms(
      await deposit(staff, fund.account.account_id, { amount: 1001, reference: 'VIR-A' }, key).expect(409),
      'post',
      '/api/accounts/{account_id}/deposits',
    );
    expect(other.body.error).toMatchObject({ code: 'idempotency_key_reused', details: { entry_id: first.body.id } });
    await deposit(staff, fund.account.account_id, { amount: 1000, reference: 'VIR-B' }, key).expect(409);
    // The key is per account: another account may use it.
    const otherAccount = await createAccount({ organizationId: fund.organization.id });
    await deposit(staff, otherAccount.account_id, { amount: 1001, reference: 'VIR-A' }, key).expect(201);
    expect((await journalOf(fund.account.id)).filter((row) => row.amount === '1001')).toEqual([]);
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('takes the amount as a JSON integer of minor units only, and requires the Idempotency-Key', async () => {
    const path = '/api/accounts/{account_id}/deposits';
    const refused = [
      { amount: '1000', reference: 'as a string' },
      { amount: 1000.5, reference: 'a fraction' },
      { amount: 0, reference: 'zero' },
      { amount: -5, reference: 'negative' },
      { amount: 1000 },
      { amount: 1000, reference: '   ' },
      { amount: 1000, reference: 'x', extra: true },
    ];
    for (const body of refused) {
      const response = conforms(await deposit(staff, fund.account.account_id, body).expect(400), 'post', path);
      expect(response.body.error.code).toBe('validation_error');
    }
    const noKey = conforms(
      await deposit(staff, fund.account.account_id, { amount: 1000, reference: 'x' }, null).expect(400),
      'post',
      path,
    );
    expect(noKey.body.error.code).toBe('idempotency_key_required');
    const longKey = await deposit(
      staff,
      fund.account.account_id,
      { amount: 1000, reference: 'x' },
      'k'.repeat(256),
    ).expect(400);
    expect(longKey.body.error.code).toBe('invalid_idempotency_key');
    conforms(await deposit(staff, 'ACC-DOES-NOT-EXIST', { amount: 1000, reference: 'x' }).expect(404), 'post', path);
  });

  it('is for staff only: a GESTIONNAIRE and a SUPERVISEUR are refused (403), nothing recorded', async () => {
    const before = await journalOf(fund.account.id);
    for (const token of [fund.gestionnaire.token, fund.superviseur.token]) {
      const response = conforms(
        await deposit(token, fund.account.account_id, { amount: 1000, reference: 'x' }).expect(403),
        'post',
        '/api/accounts/{account_id}/deposits',
      );
      expect(response.body.error.code).toBe('permission_denied');
    }
    await request(server)
      .post(`/api/accounts/${fund.account.account_id}/deposits`)
      .send({ amount: 1000, reference: 'x' })
      .expect(401);
    expect(await journalOf(fund.account.id)).toEqual(before);
  });
});

describe('GET /api/accounts', () => {
  it("lists the caller's organization's accounts with their money as JSON integers; staff see all and may filter", async () => {
    const fund = await createFund(server, { balance: 50_000n });
    const other = await createFund(server, { balance: 7_000n });
    await uploadBulk(fund, [1500]);

    const own = conforms(
      await request(server).get('/api/accounts').set(authHeader(fund.superviseur.token)).expect(200),
      'get',
      '/api/accounts',
    );
    expect(own.body).toEqual({
      total: 1,
      count: 1,
      limit: 100,
      offset: 0,
      results: [
        {
          account_id: fund.account.account_id,
          party_id_type: 'MSISDN',
          party_identifier: fund.account.party_identifier,
          currency: 'XOF',
          balance: 50_000,
          reserved: 1500,
          available: 48_500,
        },
      ],
    });
    // Asking for another organization's accounts matches nothing for a non-staff user.
    const elsewhere = await request(server)
      .get('/api/accounts')
      .query({ organization_id: String(other.organization.id) })
      .set(authHeader(fund.gestionnaire.token))
      .expect(200);
    expect(elsewhere.body).toMatchObject({ total: 0, results: [] });

    const staff = await staffToken(fund.organization.id);
    const all = conforms(
      await request(server).get('/api/accounts').query({ limit: '500' }).set(authHeader(staff)).expect(200),
      'get',
      '/api/accounts',
    );
    expect(all.body.total).toBeGreaterThanOrEqual(2);
    const filtered = await request(server)
      .get('/api/accounts')
      .query({ organization_id: String(other.organization.id) })
      .set(authHeader(staff))
      .expect(200);
    expect(filtered.body.results).toEqual([
      expect.objectContaining({ account_id: other.account.account_id, balance: 7000, reserved: 0, available: 7000 }),
    ]);
    conforms(
      await request(server).get('/api/accounts').query({ organization_id: 'abc' }).set(authHeader(staff)).expect(400),
      'get',
      '/api/accounts',
    );
    await request(server).get('/api/accounts').expect(401);
  });

  it('writes the largest amount the API allows (2^53 - 1) as the exact integer, never rounded through a float', async () => {
    const huge = BigInt(Number.MAX_SAFE_INTEGER);
    const fund = await createFund(server, { balance: huge });
    const response = await request(server).get('/api/accounts').set(authHeader(fund.gestionnaire.token)).expect(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.text).toContain(`"balance":${huge},"reserved":0,"available":${huge}`);
    const page = await statement(fund.gestionnaire.token, fund.account.account_id).expect(200);
    expect(page.text).toContain(`"amount":${huge},`);
    expect(page.text).toContain(`"balance_after":${huge},"reserved_after":0,`);
  });
});

describe('GET /api/accounts/{account_id}/statement', () => {
  const path = '/api/accounts/{account_id}/statement';
  let fund: Fund;
  let bulkId: string;
  let day: string;

  beforeAll(async () => {
    fund = await createFund(server, { balance: 10_000n });
    const staff = await staffToken(fund.organization.id);
    await deposit(staff, fund.account.account_id, { amount: 5000, reference: '=HYPERLINK("http://x","clic")' }).expect(
      201,
    );
    bulkId = await uploadBulk(fund, [100, 200, 300]);
    await cancelBulk(db(), bulkId, { kind: 'user', userId: fund.gestionnaire.id, requestId: null });
    // The entries' own day (Postgres's clock, UTC), so the date filters do not depend on when the test runs.
    const [first] = await db()('account_journal')
      .where('account_id', fund.account.id)
      .orderBy('id')
      .select('created_at');
    day = (first.created_at as Date).toISOString().slice(0, 10);
  });

  it('lists the journal oldest first, paged, with running balances', async () => {
    const page = conforms(await statement(fund.superviseur.token, fund.account.account_id).expect(200), 'get', path);
    expect(page.body).toMatchObject({
      account_id: fund.account.account_id,
      currency: 'XOF',
      total: 6,
      count: 6,
      limit: 100,
      offset: 0,
    });
    expect(
      page.body.results.map(
        (entry: { kind: string; amount: number; balance_after: number; reserved_after: number }) => [
          entry.kind,
          entry.amount,
          entry.balance_after,
          entry.reserved_after,
        ],
      ),
    ).toEqual([
      ['fund', 10_000, 10_000, 0],
      ['fund', 5000, 15_000, 0],
      ['reserve', 600, 15_000, 600],
      ['release', 100, 15_000, 500],
      ['release', 200, 15_000, 300],
      ['release', 300, 15_000, 0],
    ]);
    expect(page.body.results[2]).toMatchObject({ bulk_id: bulkId, transfer_id: null, reference: null });
    expect(page.body.results[1]).toMatchObject({ reference: '=HYPERLINK("http://x","clic")', bulk_id: null });

    const second = conforms(
      await statement(fund.gestionnaire.token, fund.account.account_id, { limit: '2', offset: '2' }).expect(200),
      'get',
      path,
    );
    expect(second.body).toMatchObject({ total: 6, count: 2, limit: 2, offset: 2 });
    expect(second.body.results.map((entry: { id: number }) => entry.id)).toEqual(
      page.body.results.slice(2, 4).map((entry: { id: number }) => entry.id),
    );
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('filters by day, from and to inclusive (UTC)', async () => {
    const dayAfter = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const dayBefore = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const read = async (query: Record<string, string>) =>
      (await statement(fund.superviseur.token, fund.account.account_id, query).expect(200)).body.total as number;
    expect(await read({ from: day, to: day })).toBe(6);
    expect(await read({ from: dayBefore })).toBe(6);
    expect(await read({ from: dayAfter })).toBe(0);
    expect(await read({ to: dayBefore })).toBe(0);
    const backwards = conforms(
      await statement(fund.superviseur.token, fund.account.account_id, { from: dayAfter, to: day }).expect(400),
      'get',
      path,
    );
    expect(backwards.body.error).toMatchObject({ code: 'invalid_filter', details: { field: 'to' } });
    await statement(fund.superviseur.token, fund.account.account_id, { from: '2026-13-01' }).expect(400);
    await statement(fund.superviseur.token, fund.account.account_id, { format: 'xml' }).expect(400);
  });

  it('answers format=csv with the same columns, every matching entry, formula cells neutralised', async () => {
    const response = await statement(fund.superviseur.token, fund.account.account_id, {
      format: 'csv',
      limit: '1',
    }).expect(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="statement-${fund.account.account_id}.csv"`,
    );
    expect(response.headers['cache-control']).toBe('no-store');
    const records = response.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(records[0]).toBe('id,kind,amount,bulk_id,transfer_id,reference,balance_after,reserved_after,created_at');
    expect(records).toHaveLength(1 + 6 + 1); // header, the entries, and the empty string after the last CRLF
    expect(records[2]).toMatch(/^\d+,fund,5000,,,"'=HYPERLINK\(""http:\/\/x"",""clic""\)",15000,0,\d{4}-\d{2}-\d{2}T/);
    expect(records[3]).toMatch(new RegExp(`^\\d+,reserve,600,${bulkId},,,15000,600,`));

    const none = await statement(fund.superviseur.token, fund.account.account_id, {
      format: 'csv',
      to: '2000-01-01',
    }).expect(200);
    expect(none.text.replace(/^\uFEFF/, '')).toBe(
      'id,kind,amount,bulk_id,transfer_id,reference,balance_after,reserved_after,created_at\r\n',
    );
  });

  it("is another organization's secret: its users get 404, as for an account that does not exist; staff may read it", async () => {
    const outsider = await createFund(server, { balance: 1n });
    for (const query of [{}, { format: 'csv' }] as Array<Record<string, string>>) {
      const hidden = conforms(
        await statement(outsider.gestionnaire.token, fund.account.account_id, query).expect(404),
        'get',
        path,
      );
      expect(hidden.body.error.code).toBe('not_found');
    }
    await statement(outsider.superviseur.token, fund.account.account_id).expect(404);
    await statement(fund.superviseur.token, 'ACC-DOES-NOT-EXIST').expect(404);
    const staffElsewhere = await staffToken(outsider.organization.id);
    expect((await statement(staffElsewhere, fund.account.account_id).expect(200)).body.total).toBe(6);
    await request(server).get(`/api/accounts/${fund.account.account_id}/statement`).expect(401);
  });
});
