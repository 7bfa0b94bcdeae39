/**
 * Hostile uploads: every bad file the fund (or an attacker) could send through the real API is answered with a
 * 4xx, a machine-readable code (and the line/column when the problem is in a line), and changes nothing in the
 * database: no bulk, no line, no reservation, the same balance.
 */
import { Readable } from 'node:stream';
import { closeDb } from '../support/database';
import { readBulkCsv } from '../../src/payouts/rules/csv/readBulkCsv';
import { createBulkTestApp, createFund, CSV_HEADER, type Fund, snapshot, upload } from '../support/bulkFixtures';
import type { TestServer } from '../support/fixtures';

const { server } = createBulkTestApp();

afterAll(async () => {
  await closeDb();
});

let fund: Fund;
beforeAll(async () => {
  fund = await createFund(server, { balance: 10_000_000n });
});

interface Expected {
  status: number;
  code: string;
  /** For invalid_file: the first error's line, column and code. */
  issue?: { line: number; column: string | null; code: string };
}

/** The error of a refused upload; `details` holds the line issues, or what the refusal is about (a line, a limit). */
interface RefusedUpload {
  code: string;
  message: string;
  details: { errors: Array<{ line: number; column: string | null; code: string }> } & Record<string, unknown>;
}

/** Uploads, checks the refusal and that the fund's rows and money did not move. */
async function expectRefusedUnchanged(
  content: string | Buffer,
  expected: Expected,
  app: TestServer = server,
): Promise<RefusedUpload> {
  const before = await snapshot(fund);
  const response = await upload(app, fund.gestionnaire.token, content);
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({
    status: expected.status,
    code: expected.code,
  });
  expect(typeof response.body.error.message).toBe('string');
  if (expected.issue) {
    expect(response.body.error.details.errors[0]).toMatchObject(expected.issue);
  }
  expect(await snapshot(fund)).toEqual(before);
  return response.body.error;
}

const line = (fields: string): string => `${CSV_HEADER}MSISDN,22997000001,XOF,1000\n${fields}\n`;

describe('hostile encodings and binary content', () => {
  it('Latin-1 text: 400 invalid_encoding on the line of the first bad byte', async () => {
    const latin1 = Buffer.from(
      `${CSV_HEADER}MSISDN,22997000001,XOF,1000\nMSISDN,22997000002,XOF,1500 Aïcha\n`,
      'latin1',
    );
    const error = await expectRefusedUnchanged(latin1, { status: 400, code: 'invalid_encoding' });
    expect(error.details).toEqual({ line: 3 });
  });

  it('UTF-16 LE with BOM: 400 invalid_encoding', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`${CSV_HEADER}MSISDN,22997000001,XOF,1000\n`, 'utf16le'),
    ]);
    await expectRefusedUnchanged(utf16, { status: 400, code: 'invalid_encoding' });
  });

  it('random bytes: 400 invalid_encoding', async () => {
    // Deterministic "random" bytes that are certainly not UTF-8 (0xff never appears in UTF-8).
    const bytes = Buffer.alloc(4096);
    for (let index = 0; index < bytes.length; index += 1)
      bytes[index] = ((index * 197 + 13) % 256) | (index % 7 === 0 ? 0xff : 0);
    await expectRefusedUnchanged(bytes, { status: 400, code: 'invalid_encoding' });
  });

  it('a PNG image: 400 invalid_encoding', async () => {
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c6300010000050001',
      'hex',
    );
    await expectRefusedUnchanged(png, { status: 400, code: 'invalid_encoding' });
  });

  it('NUL bytes inside otherwise valid text: 400 invalid_encoding on their line', async () => {
    const withNul = Buffer.from(
      `${CSV_HEADER}MSISDN,22997000001,XOF,1000\nMSISDN,2299700\u00000002,XOF,1000\n`,
      'utf8',
    );
    const error = await expectRefusedUnchanged(withNul, { status: 400, code: 'invalid_encoding' });
    expect(error.details).toEqual({ line: 3 });
  });
});

describe('hostile structure', () => {
  it('a 2 MB line without a newline: 400, not a crash nor an exhausted memory', async () => {
    const huge = 'a'.repeat(2 * 1024 * 1024);
    // Not "empty_file": the first line is there, but it cannot be read as CSV at all.
    await expectRefusedUnchanged(huge, {
      status: 400,
      code: 'invalid_file',
      issue: { line: 1, column: null, code: 'malformed_csv' },
    });
  });

  it('a 2 MB data line: 400 invalid_file, malformed_csv on that line', async () => {
    const huge = `${CSV_HEADER}MSISDN,22997000001,XOF,1000\nMSISDN,${'9'.repeat(2 * 1024 * 1024)},XOF,1000\n`;
    await expectRefusedUnchanged(huge, {
      status: 400,
      code: 'invalid_file',
      issue: { line: 3, column: null, code: 'malformed_csv' },
    });
  });

  it('a quote left open: 400 invalid_file, malformed_csv', async () => {
    const error = await expectRefusedUnchanged(line('MSISDN,"22997000002,XOF,1000\nMSISDN,22997000003,XOF,1000'), {
      status: 400,
      code: 'invalid_file',
    });
    expect(error.details.errors.map((issue) => issue.code)).toContain('malformed_csv');
    for (const issue of error.details.errors) expect(issue.line).toBeGreaterThanOrEqual(3);
  });

  it('duplicate header columns: 400 invalid_header naming them', async () => {
    const error = await expectRefusedUnchanged(
      'type_id,valeur_id,devise,montant,montant\nMSISDN,22997000001,XOF,1000,1000\n',
      {
        status: 400,
        code: 'invalid_header',
      },
    );
    expect(error.details).toMatchObject({ line: 1, duplicated: ['montant'], missing: [], unknown: [] });
  });

  it('a missing column: 400 invalid_header naming it', async () => {
    const error = await expectRefusedUnchanged('type_id,valeur_id,montant\nMSISDN,22997000001,1000\n', {
      status: 400,
      code: 'invalid_header',
    });
    expect(error.details).toMatchObject({ missing: ['devise'], unknown: [], duplicated: [] });
  });

  it('an extra column: 400 invalid_header naming it', async () => {
    const error = await expectRefusedUnchanged(
      'type_id,valeur_id,devise,montant,prenom\nMSISDN,22997000001,XOF,1000,Adjovi\n',
      {
        status: 400,
        code: 'invalid_header',
      },
    );
    expect(error.details).toMatchObject({ unknown: ['prenom'], missing: [], duplicated: [] });
  });

  it('a data line with an extra field: 400 wrong_column_count on that line', async () => {
    await expectRefusedUnchanged(line('MSISDN,22997000002,XOF,1000,extra'), {
      status: 400,
      code: 'invalid_file',
      issue: { line: 3, column: null, code: 'wrong_column_count' },
    });
  });

  it('header only: 400 no_rows', async () => {
    await expectRefusedUnchanged(CSV_HEADER, { status: 400, code: 'no_rows' });
  });

  it('an empty file, or only blank lines: 400 empty_file', async () => {
    await expectRefusedUnchanged('', { status: 400, code: 'empty_file' });
    await expectRefusedUnchanged('\n\r\n  \n', { status: 400, code: 'empty_file' });
  });
});

describe('hostile cells', () => {
  const cases: Array<[string, string, string, string]> = [
    [
      'a formula as valeur_id',
      'MSISDN,"=HYPERLINK(""http://evil.example"",""x"")",XOF,1000',
      'valeur_id',
      'invalid_msisdn',
    ],
    ['a formula as amount', 'MSISDN,22997000002,XOF,=1+1', 'montant', 'invalid_amount'],
    ['a negative amount', 'MSISDN,22997000002,XOF,-1000', 'montant', 'invalid_amount'],
    ['a zero amount', 'MSISDN,22997000002,XOF,0', 'montant', 'amount_not_positive'],
    ['a fractional XOF amount', 'MSISDN,22997000002,XOF,1000.5', 'montant', 'too_many_decimals'],
    ['an overflowing amount', 'MSISDN,22997000002,XOF,99999999999999999999999', 'montant', 'amount_above_limit'],
    ['an exponent amount', 'MSISDN,22997000002,XOF,1e6', 'montant', 'invalid_amount'],
    ['a thousands separator (space)', 'MSISDN,22997000002,XOF,1 000', 'montant', 'invalid_amount'],
    ['a thousands separator (quoted comma)', 'MSISDN,22997000002,XOF,"1,000"', 'montant', 'invalid_amount'],
    ['an unknown currency', 'MSISDN,22997000002,ZZZ,1000', 'devise', 'unknown_currency'],
    ['a currency other than the account', 'MSISDN,22997000002,EUR,1000', 'devise', 'currency_mismatch'],
    ['an unknown id type', 'PASSPORT,22997000002,XOF,1000', 'type_id', 'invalid_type_id'],
    ['a control character in valeur_id', 'EMAIL,"a\u0007b@x.example",XOF,1000', 'valeur_id', 'invalid_identifier'],
    ['an SQL-looking identifier', "MSISDN,'; DROP TABLE accounts; --,XOF,1000", 'valeur_id', 'invalid_msisdn'],
  ];
  it.each(cases)('%s: 400 invalid_file naming line 3 and its column', async (_name, fields, column, code) => {
    await expectRefusedUnchanged(line(fields), { status: 400, code: 'invalid_file', issue: { line: 3, column, code } });
  });

  it('thousands separators in a ; file: 400 invalid_amount', async () => {
    const csv = 'type_id;valeur_id;devise;montant\nMSISDN;22997000001;XOF;1,000\nMSISDN;22997000002;XOF;1.000.000\n';
    const error = await expectRefusedUnchanged(csv, {
      status: 400,
      code: 'invalid_file',
      issue: { line: 2, column: 'montant', code: 'invalid_amount' },
    });
    expect(error.details.errors[1]).toMatchObject({ line: 3, column: 'montant', code: 'invalid_amount' });
  });
});

describe('hostile sizes', () => {
  it('more rows than BULK_MAX_ROWS: 413 too_many_rows', async () => {
    const app = createBulkTestApp({ BULK_MAX_ROWS: '5' });
    const rows = Array.from(
      { length: 6 },
      (_, index) => `MSISDN,2299700${String(index).padStart(4, '0')},XOF,1000\n`,
    ).join('');
    await expectRefusedUnchanged(CSV_HEADER + rows, { status: 413, code: 'too_many_rows' }, app.server);
  });

  it('more bytes than BULK_MAX_BYTES: 413 file_too_large', async () => {
    const app = createBulkTestApp({ BULK_MAX_BYTES: '1024' });
    const rows = Array.from(
      { length: 60 },
      (_, index) => `MSISDN,2299700${String(index).padStart(4, '0')},XOF,1000\n`,
    ).join('');
    const error = await expectRefusedUnchanged(CSV_HEADER + rows, { status: 413, code: 'file_too_large' }, app.server);
    expect(error.details).toEqual({ max_bytes: 1024 });
  });

  it('about 1M short lines streamed to the reader stop at the row limit, without reading the rest', async () => {
    // Not timed (the bench measures speed): the proof it stops early is how much of the stream it pulled.
    const total = 1_000_000;
    const batch = 10_000;
    let batchesPulled = 0;
    async function* lines(): AsyncGenerator<Buffer> {
      yield Buffer.from(CSV_HEADER);
      for (let start = 0; start < total; start += batch) {
        batchesPulled += 1;
        let text = '';
        for (let index = start; index < start + batch; index += 1)
          text += `MSISDN,229${String(index).padStart(8, '0')},XOF,1\n`;
        yield Buffer.from(text);
      }
    }
    const result = await readBulkCsv(Readable.from(lines()), {
      payerCurrencies: ['XOF'],
      maxAmountPerLine: 5_000_000n,
      maxRows: 100_000,
      maxErrorsReported: 100,
    });
    expect(result).toMatchObject({ ok: false, failure: { code: 'too_many_rows', details: { max_rows: 100_000 } } });
    // It read just past the limit (the batch holding row 100,001) and stopped: at most the stream's read-ahead (an
    // object-mode Readable buffers up to 16 chunks) more, out of the 100 batches on offer.
    const batchesToTheLimit = 100_000 / batch;
    expect(batchesPulled).toBeGreaterThanOrEqual(batchesToTheLimit + 1);
    expect(batchesPulled).toBeLessThanOrEqual(batchesToTheLimit + 1 + 16);
  }, 30_000);
});
