import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { closeDb, db } from '../support/database';
import { REPORT_COLUMNS } from '../../src/reports/reportRow';
import { reportPages } from '../../src/reports/transferPages';
import {
  authHeader,
  createAccount,
  createOrganization,
  createTestApp,
  createUser,
  loginAs,
  type TestServer,
} from '../support/fixtures';

const LINES = 10_000;
const BOM = '\uFEFF';

interface Reader {
  organizationId: number;
  accountId: number;
  gestionnaireToken: string;
  superviseurToken: string;
}

async function createReader(server: TestServer): Promise<Reader> {
  const organization = await createOrganization();
  const account = await createAccount({ organizationId: organization.id, balance: 1_000_000_000n });
  const gestionnaire = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
  const superviseur = await createUser({ organizationId: organization.id, role: 'SUPERVISEUR' });
  return {
    organizationId: organization.id,
    accountId: account.id,
    gestionnaireToken: await loginAs(server, gestionnaire.email, gestionnaire.password),
    superviseurToken: await loginAs(server, superviseur.email, superviseur.password),
  };
}

/** Line n pays 1000 + n; every 7th failed with a code; a few lines carry names a spreadsheet would run. */
function transferRow(bulkId: string, line: number): Record<string, unknown> {
  const failed = line % 7 === 0;
  const row: Record<string, unknown> = {
    transfer_id: randomUUID(),
    bulk_id: bulkId,
    line_number: line,
    payee_party_id_type: 'MSISDN',
    payee_party_identifier: `22997${String(line).padStart(6, '0')}`,
    amount: String(1000 + line),
    currency: 'XOF',
    status: failed ? 'FAILED' : 'COMPLETED',
    mojaloop_transfer_id: failed ? null : `ml-${line}`,
    payee_name: `Pensionné ${line}`,
    payee_fsp_id: failed ? null : 'mtnbenin',
    fee_amount: failed ? null : '0',
    failure_code: failed ? '3204' : null,
    failure_message: failed ? 'Party not found' : null,
    completed_at: new Date(Date.UTC(2026, 10, 28, 9, 0, 0) + line * 1000),
  };
  if (line === 2) row.payee_name = '=HYPERLINK("http://evil.example","clic")';
  if (line === 3) row.payee_name = 'Kpétémé, Adjoa "Mama"';
  if (line === 4) row.failure_message = '@SUM(1+1)';
  if (line === 5) row.payee_name = '+22997000005';
  if (line === 6) row.payee_name = '-1';
  if (line === 8)
    Object.assign(row, { expected_payee_name: 'Koffi Mensah', name_match_score: 0.25, hold_decision: 'released' });
  return row;
}

async function insertBulk(reader: Reader, lines: number): Promise<string> {
  const bulkId = randomUUID();
  await db()('bulk_transfers').insert({
    bulk_id: bulkId,
    organization_id: reader.organizationId,
    payer_account_id: reader.accountId,
    total_amount: String(lines * 1000 + (lines * (lines + 1)) / 2),
    currency: 'XOF',
    state: 'COMPLETED',
    transfers_count: lines,
    completed_at: new Date(),
  });
  // Inserted out of order: the report orders by line number, not by insertion.
  const rows = Array.from({ length: lines }, (_, index) => transferRow(bulkId, lines - index));
  await db().batchInsert('individual_transfers', rows, 1000);
  return bulkId;
}

/** A minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF) to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index += 1;
    } else field += char;
  }
  return records;
}

/** supertest buffers the text; this keeps the raw bytes so the BOM can be checked. */
function rawBody(response: request.Response): Buffer {
  return response.body as Buffer;
}

function asBuffer(call: request.Test): request.Test {
  return call.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

describe('bulk reconciliation report', () => {
  let server: TestServer;
  let reader: Reader;
  let bulkId: string;

  beforeAll(async () => {
    server = createTestApp().server;
    reader = await createReader(server);
    bulkId = await insertBulk(reader, LINES);
  });

  afterAll(closeDb);

  it(`streams a ${LINES}-line bulk as CSV with a BOM, one record per transfer in line order`, async () => {
    const response = await asBuffer(
      request(server).get(`/api/bulk-transfers/${bulkId}/report.csv`).set(authHeader(reader.gestionnaireToken)),
    ).expect(200);

    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="bulk-${bulkId}-report.csv"`);
    expect(response.headers['cache-control']).toBe('no-store');
    // Streamed: no length known in advance.
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(response.headers['content-length']).toBeUndefined();

    const bytes = rawBody(response);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.startsWith(BOM)).toBe(true);

    const [header, ...records] = parseCsv(text.slice(1));
    expect(header).toEqual([...REPORT_COLUMNS]);
    expect(records).toHaveLength(LINES);
    expect(records.map((record) => Number(record[0]))).toEqual(Array.from({ length: LINES }, (_, index) => index + 1));

    const byColumn = (record: string[]) =>
      Object.fromEntries(REPORT_COLUMNS.map((column, index) => [column, record[index]]));
    expect(byColumn(records[0]!)).toMatchObject({
      line_number: '1',
      mojaloop_transfer_id: 'ml-1',
      payee_party_id_type: 'MSISDN',
      payee_party_identifier: '22997000001',
      payee_name: 'Pensionné 1',
      payee_fsp_id: 'mtnbenin',
      amount: '1001',
      fee_amount: '0',
      currency: 'XOF',
      status: 'COMPLETED',
      failure_code: '',
      failure_message: '',
      completed_at: '2026-11-28T09:00:01.000Z',
      expected_payee_name: '',
      name_match_score: '',
      hold_decision: '',
    });
    expect(byColumn(records[7]!)).toMatchObject({
      expected_payee_name: 'Koffi Mensah',
      name_match_score: '0.25',
      hold_decision: 'released',
    });
    expect(byColumn(records[6]!)).toMatchObject({
      line_number: '7',
      mojaloop_transfer_id: '',
      amount: '1007',
      fee_amount: '',
      status: 'FAILED',
      failure_code: '3204',
      failure_message: 'Party not found',
    });
    expect(byColumn(records[LINES - 1]!)).toMatchObject({ line_number: String(LINES), amount: String(1000 + LINES) });
    expect(records[4999]![1]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('neutralises cells a spreadsheet would run as formulas, and quotes per RFC 4180', async () => {
    const response = await asBuffer(
      request(server).get(`/api/bulk-transfers/${bulkId}/report.csv`).set(authHeader(reader.gestionnaireToken)),
    ).expect(200);
    const records = parseCsv(rawBody(response).toString('utf8').slice(1)).slice(1);
    const payeeName = REPORT_COLUMNS.indexOf('payee_name');
    const failureMessage = REPORT_COLUMNS.indexOf('failure_message');

    expect(records[1]![payeeName]).toBe(`'=HYPERLINK("http://evil.example","clic")`);
    expect(records[2]![payeeName]).toBe('Kpétémé, Adjoa "Mama"');
    expect(records[3]![failureMessage]).toBe(`'@SUM(1+1)`);
    expect(records[4]![payeeName]).toBe(`'+22997000005`);
    expect(records[5]![payeeName]).toBe(`'-1`);
    expect(rawBody(response).toString('utf8')).toContain(`,"'=HYPERLINK(""http://evil.example"",""clic"")",`);
  });

  it('streams the same transfers as one JSON document, values exact', async () => {
    const asked = Date.now();
    const response = await asBuffer(
      request(server).get(`/api/bulk-transfers/${bulkId}/report.json`).set(authHeader(reader.gestionnaireToken)),
    ).expect(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="bulk-${bulkId}-report.json"`);

    const answered = Date.now();
    const document = JSON.parse(rawBody(response).toString('utf8'));
    expect(document.bulk_id).toBe(bulkId);
    // Made while the test was asking for it, however long the machine took to answer (ISO to the millisecond).
    expect(Date.parse(document.generated_at)).toBeGreaterThanOrEqual(asked);
    expect(Date.parse(document.generated_at)).toBeLessThanOrEqual(answered);
    expect(document.transfers).toHaveLength(LINES);
    expect(document.transfers[0]).toEqual({
      line_number: 1,
      transfer_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      mojaloop_transfer_id: 'ml-1',
      payee_party_id_type: 'MSISDN',
      payee_party_identifier: '22997000001',
      payee_name: 'Pensionné 1',
      payee_fsp_id: 'mtnbenin',
      amount: 1001,
      fee_amount: 0,
      currency: 'XOF',
      status: 'COMPLETED',
      failure_code: null,
      failure_message: null,
      completed_at: '2026-11-28T09:00:01.000Z',
      expected_payee_name: null,
      name_match_score: null,
      hold_decision: null,
    });
    expect(document.transfers[7]).toMatchObject({
      expected_payee_name: 'Koffi Mensah',
      name_match_score: 0.25,
      hold_decision: 'released',
    });
    expect(document.transfers[1].payee_name).toBe('=HYPERLINK("http://evil.example","clic")');
    expect(document.transfers[LINES - 1]).toMatchObject({ line_number: LINES, amount: 1000 + LINES });
  });

  it('reads the transfers in keyset pages, in line order', async () => {
    const sizes: number[] = [];
    let previous = 0;
    for await (const page of reportPages(db(), bulkId, 3000)) {
      sizes.push(page.length);
      for (const row of page) {
        expect(row.line_number).toBe(previous + 1);
        previous = row.line_number;
      }
    }
    expect(sizes).toEqual([3000, 3000, 3000, 1000]);
  });

  it('lets a SUPERVISEUR of the organization read the report', async () => {
    const response = await asBuffer(
      request(server).get(`/api/bulk-transfers/${bulkId}/report.json`).set(authHeader(reader.superviseurToken)),
    ).expect(200);
    expect(JSON.parse(rawBody(response).toString('utf8')).transfers).toHaveLength(LINES);
  });

  it('answers 404 for another organization, an unknown bulk or a malformed id, and 401 without a token', async () => {
    const stranger = await createReader(server);
    for (const format of ['csv', 'json']) {
      const foreign = await request(server)
        .get(`/api/bulk-transfers/${bulkId}/report.${format}`)
        .set(authHeader(stranger.superviseurToken))
        .expect(404);
      expect(foreign.body).toEqual({ error: { code: 'not_found', message: 'Introuvable.' } });
      await request(server)
        .get(`/api/bulk-transfers/${randomUUID()}/report.${format}`)
        .set(authHeader(reader.gestionnaireToken))
        .expect(404);
      await request(server)
        .get(`/api/bulk-transfers/not-a-uuid/report.${format}`)
        .set(authHeader(reader.gestionnaireToken))
        .expect(404);
      await request(server).get(`/api/bulk-transfers/${bulkId}/report.${format}`).expect(401);
    }
  });

  it('writes only the header for a bulk without transfers', async () => {
    const bulk = await insertBulkWithoutLines(reader);
    const response = await asBuffer(
      request(server).get(`/api/bulk-transfers/${bulk}/report.csv`).set(authHeader(reader.gestionnaireToken)),
    ).expect(200);
    expect(rawBody(response).toString('utf8')).toBe(`${BOM}${REPORT_COLUMNS.join(',')}\r\n`);
  });
});

/** A bulk refused before any line was stored (total_amount must still be positive). */
async function insertBulkWithoutLines(reader: Reader): Promise<string> {
  const bulkId = randomUUID();
  await db()('bulk_transfers').insert({
    bulk_id: bulkId,
    organization_id: reader.organizationId,
    payer_account_id: reader.accountId,
    total_amount: '1',
    currency: 'XOF',
    state: 'FAILED',
    transfers_count: 0,
  });
  return bulkId;
}
