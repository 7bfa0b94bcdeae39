import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { lazyTemporalClient } from '../../src/clients/temporal';
import { closeDb, db } from '../support/database';
import { BULK_LOCK_NAMESPACE } from '../../src/payouts/store/bulkInsertStore';
import { createAccount, createOrganization, createUser, loginAs } from '../support/fixtures';
import {
  createBulkTestApp,
  createFund,
  CSV_HEADER,
  csvOfLines,
  type Fund,
  snapshot,
  upload,
} from '../support/bulkFixtures';
import { expectJournalAgrees } from '../support/journalInvariant';
import { waitFor } from '../support/payoutHarness';
import { workflowIdForBulk } from '../../src/payouts/contract';

const { server, config } = createBulkTestApp();
const temporal = lazyTemporalClient(config.temporal);

afterAll(async () => {
  await closeDb();
});

/** Backends waiting for the organization's bulk lock (src/payouts/store/bulkInsertStore.ts), read from Postgres itself. */
async function uploadsWaitingOnBulkLock(organizationId: number): Promise<number> {
  const result = await db().raw<{ rows: Array<{ waiting: string }> }>(
    `select count(*) as waiting from pg_locks
      where locktype = 'advisory' and classid = ? and objid = ? and objsubid = 2 and not granted`,
    [BULK_LOCK_NAMESPACE, organizationId],
  );
  return Number(result.rows[0]!.waiting);
}

/**
 * Runs `uploads` while the test holds the fund's account row (`select ... for update` in its own transaction), and
 * lets them go only once both are inside createBulk's transaction: one holding the organization's bulk lock and
 * waiting on the account (it is at its reservation), the other waiting on that bulk lock. So the second is surely
 * in flight while the first has not committed, every run, whatever the machine's speed.
 */
async function uploadsRacingOnHeldAccount(fund: Fund, uploads: () => request.Test[]): Promise<request.Response[]> {
  const holder = await db().transaction();
  try {
    await holder('accounts').where('id', fund.account.id).forUpdate().first('id');
    const held = await holder.raw<{ rows: Array<{ pid: number }> }>('select pg_backend_pid() as pid');
    const holderPid = held.rows[0]!.pid;
    // `then` sends a supertest request: both are on their way before the test waits.
    const started = uploads().map((call) => call.then((response) => response));
    await waitFor(
      async () =>
        (await backendsBlockedBy(holderPid)) === 1 && (await uploadsWaitingOnBulkLock(fund.organization.id)) === 1,
      60_000,
      50,
    );
    await holder.commit();
    return await Promise.all(started);
  } finally {
    if (!holder.isCompleted()) await holder.rollback();
  }
}

/** Backends of this database waiting on a lock `pid` holds. */
async function backendsBlockedBy(pid: number): Promise<number> {
  const result = await db().raw<{ rows: Array<{ blocked: string }> }>(
    `select count(*) as blocked from pg_stat_activity
      where datname = current_database() and ?::int = any(pg_blocking_pids(pid))`,
    [pid],
  );
  return Number(result.rows[0]!.blocked);
}

async function workflowStatus(bulkId: string): Promise<{ status: string; taskQueue: string }> {
  const description = await (await temporal()).client.workflow.getHandle(workflowIdForBulk(bulkId)).describe();
  return { status: description.status.name, taskQueue: description.taskQueue };
}

describe('POST /api/bulk-transfers: a valid file', () => {
  let fund: Fund;
  beforeAll(async () => {
    fund = await createFund(server, { balance: 1_000_000n });
  });

  it('stores the bulk and its lines, reserves the total and starts the workflow (202)', async () => {
    const csv = `${CSV_HEADER}MSISDN,22997000001,XOF,15000\nMSISDN,22997000002,XOF,2500\nEMAIL,awa@example.bj,XOF,500000\n`;
    const response = await upload(server, fund.gestionnaire.token, csv, { fileName: 'pensions-novembre.csv' }).expect(
      202,
    );

    expect(response.body).toEqual({
      bulkTransferId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      state: 'PENDING',
      transfers_count: 3,
      total_amount: 517500,
      currency: 'XOF',
      warnings: [],
    });
    const bulkId: string = response.body.bulkTransferId;

    const bulk = await db()('bulk_transfers').where('bulk_id', bulkId).first();
    expect(bulk).toMatchObject({
      organization_id: fund.organization.id,
      payer_account_id: fund.account.id,
      created_by_id: fund.gestionnaire.id,
      total_amount: '517500',
      currency: 'XOF',
      state: 'PENDING',
      transfers_count: 3,
      source: 'UPLOAD',
      file_name: 'pensions-novembre.csv',
      file_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      idempotency_key: null,
    });

    const lines = await db()('individual_transfers').where('bulk_id', bulkId).orderBy('line_number');
    expect(
      lines.map((line) => [
        line.line_number,
        line.payee_party_id_type,
        line.payee_party_identifier,
        line.amount,
        line.currency,
        line.status,
      ]),
    ).toEqual([
      [2, 'MSISDN', '22997000001', '15000', 'XOF', 'PENDING'],
      [3, 'MSISDN', '22997000002', '2500', 'XOF', 'PENDING'],
      [4, 'EMAIL', 'awa@example.bj', '500000', 'XOF', 'PENDING'],
    ]);
    expect(new Set(lines.map((line) => line.transfer_id)).size).toBe(3);

    expect(await snapshot(fund)).toMatchObject({ reserved: '517500', balance: '1000000' });
    expect(await workflowStatus(bulkId)).toEqual({ status: 'RUNNING', taskQueue: config.temporal.taskQueue });
  });

  it('stores a total of exactly 2^53 - 1 minor units, and refuses the line that would take a total past it', async () => {
    const limit = BigInt(Number.MAX_SAFE_INTEGER);
    const rich = await createFund(server, { balance: limit, currency: 'USD' });
    const app = createBulkTestApp({ BULK_MAX_AMOUNT_PER_LINE: String(limit) });
    const lines = 'MSISDN,22997000001,USD,45035996273704.95\nMSISDN,22997000002,USD,45035996273704.95\n';
    const atLimit = await upload(
      app.server,
      rich.gestionnaire.token,
      `${CSV_HEADER}${lines}MSISDN,22997000003,USD,0.01\n`,
    );
    expect(atLimit.status).toBe(202);
    expect(atLimit.text).toContain(`"total_amount":${limit},`);
    const amounts = await db()('individual_transfers')
      .where('bulk_id', atLimit.body.bulkTransferId)
      .orderBy('line_number')
      .pluck('amount');
    expect(amounts).toEqual(['4503599627370495', '4503599627370495', '1']);

    const past = await upload(app.server, rich.gestionnaire.token, `${CSV_HEADER}${lines}MSISDN,22997000004,USD,0.02\n`)
      .set('Accept-Language', 'en')
      .expect(400);
    expect(past.body.error.details.errors).toEqual([
      { line: 4, column: 'montant', code: 'total_above_limit', message: expect.stringContaining('9007199254740991') },
    ]);
    expect((await snapshot(rich)).reserved).toBe(String(limit));
  });

  it('answers a line repeating a payee and amount with a warning, and still creates the bulk', async () => {
    const csv = `${CSV_HEADER}MSISDN,22997000011,XOF,100\nMSISDN,22997000012,XOF,100\nMSISDN,22997000011,XOF,100\n`;
    const response = await upload(server, fund.gestionnaire.token, csv).expect(202);
    expect(response.body.warnings).toEqual([
      { line: 4, code: 'duplicate_line', message: expect.any(String), duplicate_of_line: 2 },
    ]);
    expect(response.body.transfers_count).toBe(3);
  });

  it('accepts ; as separator, a BOM, CRLF and spaces (a French Excel export)', async () => {
    const csv = '\uFEFFType_Id ; Valeur_Id ; Devise ; Montant\r\n MSISDN ; 22997000021 ; XOF ; 700 \r\n';
    const response = await upload(server, fund.gestionnaire.token, csv).expect(202);
    expect(response.body).toMatchObject({ transfers_count: 1, total_amount: 700 });
  });

  it('pays from the account in the file currency when the organization has several, or the one named', async () => {
    const organization = await createOrganization();
    const xof = await createAccount({ organizationId: organization.id, currency: 'XOF', balance: 1000n });
    const eur = await createAccount({ organizationId: organization.id, currency: 'EUR', balance: 1000n });
    const user = await createUser({ organizationId: organization.id });
    const token = await loginAs(server, user.email, user.password);

    const euros = await upload(server, token, `${CSV_HEADER}MSISDN,22997000031,EUR,2.50\n`).expect(202);
    expect(
      await db()('bulk_transfers')
        .where('bulk_id', euros.body.bulkTransferId)
        .first('payer_account_id', 'currency', 'total_amount'),
    ).toEqual({
      payer_account_id: eur.id,
      currency: 'EUR',
      total_amount: '250',
    });

    const named = await upload(server, token, `${CSV_HEADER}MSISDN,22997000032,XOF,3\n`, {
      query: { payer_account: xof.account_id },
    }).expect(202);
    expect(
      (await db()('bulk_transfers').where('bulk_id', named.body.bulkTransferId).first('payer_account_id'))
        .payer_account_id,
    ).toBe(xof.id);

    const wrongCurrency = await upload(server, token, `${CSV_HEADER}MSISDN,22997000033,EUR,3\n`, {
      query: { payer_account: xof.account_id },
    }).expect(400);
    expect(wrongCurrency.body.error.details.errors).toEqual([
      { line: 2, column: 'devise', code: 'currency_mismatch', message: expect.stringContaining('XOF') },
    ]);
  });
});

describe('POST /api/bulk-transfers: refused uploads answer clearly and change nothing', () => {
  let fund: Fund;
  beforeAll(async () => {
    fund = await createFund(server, { balance: 1_000_000n });
  });

  async function expectRefused(call: request.Test, status: number, code: string): Promise<request.Response> {
    const before = await snapshot(fund);
    const response = await call;
    expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
    expect(typeof response.body.error.message).toBe('string');
    expect(await snapshot(fund)).toEqual(before);
    return response;
  }

  it('a file with invalid lines: 400 invalid_file with every error, its line and column', async () => {
    const csv = `${CSV_HEADER}MSISDN,22997000001,XOF,1500\nMSISDN,022997000001,XOF,1500\nPHONE,22997000003,XOF,12.5\nMSISDN,22997000004,USD,0\n`;
    const response = await expectRefused(upload(server, fund.gestionnaire.token, csv), 400, 'invalid_file');
    expect(
      response.body.error.details.errors.map((error: { line: number; column: string; code: string }) => [
        error.line,
        error.column,
        error.code,
      ]),
    ).toEqual([
      [3, 'valeur_id', 'invalid_msisdn'],
      [4, 'type_id', 'invalid_type_id'],
      [4, 'montant', 'too_many_decimals'],
      [5, 'devise', 'currency_mismatch'],
      [5, 'montant', 'amount_not_positive'],
    ]);
  });

  it('reports at most BULK_MAX_ERRORS_REPORTED errors and says so', async () => {
    const app = createBulkTestApp({ BULK_MAX_ERRORS_REPORTED: '2' });
    const csv = `${CSV_HEADER}${'MSISDN,0,XOF,1\n'.repeat(5)}`;
    const response = await expectRefused(upload(app.server, fund.gestionnaire.token, csv), 400, 'invalid_file');
    expect(response.body.error.details.errors).toHaveLength(2);
    expect(response.body.error.details.errors_truncated).toBe(true);
  });

  it('an amount above the per-line limit', async () => {
    const csv = `${CSV_HEADER}MSISDN,22997000001,XOF,${config.bulk.maxAmountPerLineMinorUnits + 1n}\n`;
    const response = await expectRefused(upload(server, fund.gestionnaire.token, csv), 400, 'invalid_file');
    expect(response.body.error.details.errors[0]).toMatchObject({
      line: 2,
      column: 'montant',
      code: 'amount_above_limit',
    });
  });

  it('an empty file: 400 empty_file', async () => {
    await expectRefused(upload(server, fund.gestionnaire.token, ''), 400, 'empty_file');
  });

  it('a wrong header: 400 invalid_header on line 1, naming the columns', async () => {
    const response = await expectRefused(
      upload(server, fund.gestionnaire.token, 'type,valeur_id,devise,montant\nMSISDN,22997000001,XOF,1\n'),
      400,
      'invalid_header',
    );
    expect(response.body.error.details).toMatchObject({ line: 1, missing: ['type_id'], unknown: ['type'] });
  });

  it('a header without lines: 400 no_rows', async () => {
    await expectRefused(upload(server, fund.gestionnaire.token, CSV_HEADER), 400, 'no_rows');
  });

  it('a Latin-1 file or a binary file: 400 invalid_encoding', async () => {
    const latin1 = Buffer.from(`${CSV_HEADER}ALIAS,Kpétémé,XOF,1\n`, 'latin1');
    const response = await expectRefused(upload(server, fund.gestionnaire.token, latin1), 400, 'invalid_encoding');
    expect(response.body.error.details).toEqual({ line: 2 });
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), Buffer.alloc(100)]);
    await expectRefused(
      upload(server, fund.gestionnaire.token, xlsx, { fileName: 'pensions.xlsx' }),
      400,
      'invalid_encoding',
    );
  });

  it('more lines than BULK_MAX_ROWS: 413 too_many_rows', async () => {
    const app = createBulkTestApp({ BULK_MAX_ROWS: '3' });
    await upload(app.server, fund.gestionnaire.token, csvOfLines(3)).expect(202);
    const response = await expectRefused(
      upload(app.server, fund.gestionnaire.token, csvOfLines(4)),
      413,
      'too_many_rows',
    );
    expect(response.body.error.details).toEqual({ max_rows: 3 });
  });

  it('a file larger than BULK_MAX_BYTES: 413 file_too_large', async () => {
    const app = createBulkTestApp({ BULK_MAX_BYTES: '300' });
    const csv = csvOfLines(20);
    expect(csv.length).toBeGreaterThan(300);
    const response = await expectRefused(upload(app.server, fund.gestionnaire.token, csv), 413, 'file_too_large');
    expect(response.body.error.details).toEqual({ max_bytes: 300 });
  });

  it('not multipart: 415 unsupported_media_type; no "file" field: 400 file_required', async () => {
    await expectRefused(
      request(server)
        .post('/api/bulk-transfers')
        .set('Authorization', `Bearer ${fund.gestionnaire.token}`)
        .send({ file: csvOfLines(1) }),
      415,
      'unsupported_media_type',
    );
    await expectRefused(
      request(server)
        .post('/api/bulk-transfers')
        .set('Authorization', `Bearer ${fund.gestionnaire.token}`)
        .field('other', 'x'),
      400,
      'file_required',
    );
    await expectRefused(
      request(server)
        .post('/api/bulk-transfers')
        .set('Authorization', `Bearer ${fund.gestionnaire.token}`)
        .attach('document', Buffer.from(csvOfLines(1)), 'pensions.csv'),
      400,
      'file_required',
    );
  });

  it('an unknown payer_account: 400 invalid_payer_account', async () => {
    await expectRefused(
      upload(server, fund.gestionnaire.token, csvOfLines(1), { query: { payer_account: 'NOPE' } }),
      400,
      'invalid_payer_account',
    );
  });

  it('an Idempotency-Key longer than 255 characters: 400', async () => {
    await expectRefused(
      upload(server, fund.gestionnaire.token, csvOfLines(1), { idempotencyKey: 'k'.repeat(256) }),
      400,
      'invalid_idempotency_key',
    );
  });

  it('a SUPERVISEUR may not upload: 403', async () => {
    await expectRefused(upload(server, fund.superviseur.token, csvOfLines(1)), 403, 'permission_denied');
  });

  it('without a token: 401', async () => {
    await expectRefused(
      request(server)
        .post('/api/bulk-transfers')
        .attach('file', Buffer.from(csvOfLines(1)), 'p.csv'),
      401,
      'not_authenticated',
    );
  });

  it('a deactivated organization may not upload: 401 organization_inactive (its tokens stop working)', async () => {
    await db()('organizations').where('id', fund.organization.id).update({ is_active: false });
    try {
      await expectRefused(upload(server, fund.gestionnaire.token, csvOfLines(1)), 401, 'organization_inactive');
    } finally {
      await db()('organizations').where('id', fund.organization.id).update({ is_active: true });
    }
  });
});

describe('POST /api/bulk-transfers: money and repeats', () => {
  it('refuses a total above the available balance (422 insufficient_funds) and creates nothing', async () => {
    const fund = await createFund(server, { balance: 5000n });
    await db()('accounts').where('id', fund.account.id).update({ reserved: 1000 });
    const before = await snapshot(fund);
    const response = await upload(
      server,
      fund.gestionnaire.token,
      `${CSV_HEADER}MSISDN,22997000001,XOF,3000\nMSISDN,22997000002,XOF,1001\n`,
    ).expect(422);
    expect(response.body.error).toEqual({
      code: 'insufficient_funds',
      message: expect.stringContaining('4000'),
      details: { available: '4000', required: '4001', currency: 'XOF' },
    });
    expect(await snapshot(fund)).toEqual(before);
    // Exactly the available amount is fine.
    await upload(server, fund.gestionnaire.token, `${CSV_HEADER}MSISDN,22997000001,XOF,4000\n`).expect(202);
    expect((await snapshot(fund)).reserved).toBe('5000');
  });

  it('two uploads that each fit the funds but not together, the second in flight while the first reserves: one 202, one 422 insufficient_funds with nothing of it stored', async () => {
    const fund = await createFund(server, { balance: 10_000n });
    // Each fits the 10,000 alone; together (13,000) they do not. Different sizes tell which one was stored.
    const files = [
      `${CSV_HEADER}MSISDN,22997000001,XOF,3000\nMSISDN,22997000002,XOF,3000\n`,
      `${CSV_HEADER}MSISDN,22997000003,XOF,2000\nMSISDN,22997000004,XOF,2000\nMSISDN,22997000005,XOF,3000\n`,
    ];
    const responses = await uploadsRacingOnHeldAccount(fund, () =>
      files.map((file) => upload(server, fund.gestionnaire.token, file)),
    );

    expect(responses.map((response) => response.status).sort()).toEqual([202, 422]);
    const accepted = responses.find((response) => response.status === 202)!.body;
    const refused = responses.find((response) => response.status === 422)!.body;
    // The refused one was checked against what the accepted one had reserved.
    const refusedTotal = accepted.total_amount === 6000 ? '7000' : '6000';
    expect(refused.error).toMatchObject({
      code: 'insufficient_funds',
      details: { available: String(10_000 - accepted.total_amount), required: refusedTotal, currency: 'XOF' },
    });
    const bulks = await db()('bulk_transfers').where('organization_id', fund.organization.id).pluck('bulk_id');
    expect(bulks).toEqual([accepted.bulkTransferId]);
    expect(await snapshot(fund)).toEqual({
      bulks: 1,
      transfers: accepted.transfers_count,
      reserved: String(accepted.total_amount),
      balance: '10000',
    });
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('the same file again: 409 duplicate_file naming the first bulk; allowed with allow_duplicate=true, or once it FAILED', async () => {
    const fund = await createFund(server);
    const csv = csvOfLines(2);
    const first = await upload(server, fund.gestionnaire.token, csv).expect(202);

    const before = await snapshot(fund);
    const refused = await upload(server, fund.gestionnaire.token, csv, { fileName: 'renamed.csv' }).expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'duplicate_file',
      details: { bulkTransferId: first.body.bulkTransferId, state: 'PENDING' },
    });
    expect(await snapshot(fund)).toEqual(before);

    const again = await upload(server, fund.gestionnaire.token, csv, { query: { allow_duplicate: 'true' } }).expect(
      202,
    );
    expect(again.body.bulkTransferId).not.toBe(first.body.bulkTransferId);

    // As if both had ended unpaid (no worker runs here): their lines first, as Postgres wants a closed bulk's lines final.
    const bulkIds = db()('bulk_transfers').where('organization_id', fund.organization.id).select('bulk_id');
    await db()('individual_transfers').whereIn('bulk_id', bulkIds).update({ status: 'FAILED', failure_code: 'test' });
    await db()('bulk_transfers').where('organization_id', fund.organization.id).update({ state: 'FAILED' });
    await upload(server, fund.gestionnaire.token, csv).expect(202);
    expect((await snapshot(fund)).bulks).toBe(3);
  });

  it('the same file to another account of the organization is a duplicate too', async () => {
    const fund = await createFund(server);
    const second = await createAccount({ organizationId: fund.organization.id, balance: 100_000_000n });
    const csv = csvOfLines(2);
    await upload(server, fund.gestionnaire.token, csv, { query: { payer_account: fund.account.account_id } }).expect(
      202,
    );
    const refused = await upload(server, fund.gestionnaire.token, csv, {
      query: { payer_account: second.account_id },
    }).expect(409);
    expect(refused.body.error.code).toBe('duplicate_file');
  });

  it('two concurrent uploads of the same file to two accounts of the organization: exactly one is accepted', async () => {
    const fund = await createFund(server);
    const second = await createAccount({ organizationId: fund.organization.id, balance: 100_000_000n });
    const csv = csvOfLines(3);
    // Deterministic: the test holds the organization's bulk lock, so both uploads are inside their transaction,
    // waiting on it at the same point, before either checks for a duplicate; then it lets them go.
    const holder = await db().transaction();
    try {
      await holder.raw('select pg_advisory_xact_lock(?::int, ?::int)', [BULK_LOCK_NAMESPACE, fund.organization.id]);
      const uploads = [fund.account, second].map((account) =>
        upload(server, fund.gestionnaire.token, csv, { query: { payer_account: account.account_id } }).then(
          (response) => response,
        ),
      );
      await waitFor(async () => (await uploadsWaitingOnBulkLock(fund.organization.id)) === 2, 30_000, 50);
      await holder.commit();

      const responses = await Promise.all(uploads);
      expect(responses.map((response) => response.status).sort()).toEqual([202, 409]);
      expect(responses.find((response) => response.status === 409)?.body.error.code).toBe('duplicate_file');
    } finally {
      if (!holder.isCompleted()) await holder.rollback();
    }
    const bulks = await db()('bulk_transfers')
      .where('organization_id', fund.organization.id)
      .select('payer_account_id');
    expect(bulks).toHaveLength(1);
    const reserved = await db()('accounts')
      .where('organization_id', fund.organization.id)
      .sum<Array<{ sum: string }>>('reserved as sum');
    expect(reserved[0]!.sum).toBe(String(1000 + 1001 + 1002));
  });

  it('the same file by another organization is not a duplicate', async () => {
    const csv = csvOfLines(1);
    const one = await createFund(server);
    const other = await createFund(server);
    await upload(server, one.gestionnaire.token, csv).expect(202);
    await upload(server, other.gestionnaire.token, csv).expect(202);
  });

  it('a retry with the same Idempotency-Key answers the original response and creates nothing more', async () => {
    const fund = await createFund(server);
    const key = `upload-${randomUUID()}`;
    const csv = csvOfLines(2);
    const first = await upload(server, fund.gestionnaire.token, csv, { idempotencyKey: key }).expect(202);
    const after = await snapshot(fund);

    const retry = await upload(server, fund.gestionnaire.token, csv, { idempotencyKey: key }).expect(202);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await snapshot(fund)).toEqual(after);
    expect(after.bulks).toBe(1);

    const otherFile = await upload(server, fund.gestionnaire.token, csvOfLines(2), { idempotencyKey: key }).expect(422);
    expect(otherFile.body.error).toMatchObject({
      code: 'idempotency_key_reused',
      details: { bulkTransferId: first.body.bulkTransferId },
    });
    expect(await snapshot(fund)).toEqual(after);
  });

  it('the same Idempotency-Key twice at once, the second in flight while the first reserves: one bulk, one reservation, both answers name it', async () => {
    const fund = await createFund(server);
    const key = `upload-${randomUUID()}`;
    const csv = csvOfLines(3);
    const responses = await uploadsRacingOnHeldAccount(fund, () =>
      [1, 2].map(() => upload(server, fund.gestionnaire.token, csv, { idempotencyKey: key })),
    );

    expect(responses.map((response) => response.status)).toEqual([202, 202]);
    expect(responses[1]!.body).toEqual(responses[0]!.body);
    // The one that waited found the first bulk under the organization's lock and answered it as a retry.
    const replayed = responses.map((response) => response.headers['idempotent-replayed'] === 'true');
    expect(replayed.sort()).toEqual([false, true]);
    const bulkId: string = responses[0]!.body.bulkTransferId;
    expect(await db()('bulk_transfers').where('organization_id', fund.organization.id).pluck('bulk_id')).toEqual([
      bulkId,
    ]);
    expect(await snapshot(fund)).toMatchObject({ bulks: 1, transfers: 3, reserved: String(1000 + 1001 + 1002) });
    const reservations = await db()('account_journal')
      .where({ account_id: fund.account.id, kind: 'reserve' })
      .pluck('bulk_id');
    expect(reservations).toEqual([bulkId]);
    await expectJournalAgrees(db(), fund.account.id);
  });

  it('the same key in two organizations is two uploads', async () => {
    const key = `upload-${randomUUID()}`;
    const one = await createFund(server);
    const other = await createFund(server);
    const a = await upload(server, one.gestionnaire.token, csvOfLines(1), { idempotencyKey: key }).expect(202);
    const b = await upload(server, other.gestionnaire.token, csvOfLines(1), { idempotencyKey: key }).expect(202);
    expect(a.body.bulkTransferId).not.toBe(b.body.bulkTransferId);
  });

  it('Temporal down: 503 workflow_start_failed, the bulk stays PENDING and reserved; a retry with the key starts it', async () => {
    const fund = await createFund(server);
    const key = `upload-${randomUUID()}`;
    const csv = csvOfLines(2);
    const down = createBulkTestApp({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, config.temporal.taskQueue);

    const refused = await upload(down.server, fund.gestionnaire.token, csv, { idempotencyKey: key }).expect(503);
    expect(refused.body.error.code).toBe('workflow_start_failed');
    const bulkId: string = refused.body.error.details.bulkTransferId;
    expect(await db()('bulk_transfers').where('bulk_id', bulkId).first('state')).toEqual({ state: 'PENDING' });
    expect((await snapshot(fund)).reserved).toBe(String(1000 + 1001));

    // Still down: still 503, nothing more created.
    await upload(down.server, fund.gestionnaire.token, csv, { idempotencyKey: key }).expect(503);

    const retried = await upload(server, fund.gestionnaire.token, csv, { idempotencyKey: key }).expect(202);
    expect(retried.body).toMatchObject({
      bulkTransferId: bulkId,
      state: 'PENDING',
      transfers_count: 2,
      total_amount: 2001,
    });
    expect(await snapshot(fund)).toMatchObject({ bulks: 1, transfers: 2, reserved: '2001' });
    expect((await workflowStatus(bulkId)).status).toBe('RUNNING');
  }, 60_000);
});
