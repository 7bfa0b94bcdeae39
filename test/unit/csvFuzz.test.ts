/**
 * Property-based checks of the pension list reader (readBulkCsv): valid files are read exactly, any input is
 * answered without an unexpected exception, and one bad cell is reported at its line and column.
 */
import fc from 'fast-check';
import { type BulkCsvOptions, type BulkCsvResult, readBulkCsv } from '../../src/payouts/rules/csv/readBulkCsv';

const MAX_AMOUNT = 5_000_000n;
const OPTIONS: BulkCsvOptions = {
  payerCurrencies: ['XOF'],
  maxAmountPerLine: MAX_AMOUNT,
  maxRows: 10_000,
  maxErrorsReported: 100,
};
const COLUMNS = ['type_id', 'valeur_id', 'devise', 'montant'] as const;

/** The bytes split into chunks of `chunkSize`, as a file stream would give them (a character may straddle two). */
async function read(bytes: Buffer, chunkSize = 17): Promise<BulkCsvResult> {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let start = 0; start < bytes.length; start += chunkSize) yield bytes.subarray(start, start + chunkSize);
  }
  return readBulkCsv(chunks(), OPTIONS);
}

interface ValidRow {
  msisdn: string;
  amount: bigint;
}

const msisdn = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 4, maxLength: 14 }))
  .map(([first, rest]) => `${first}${rest.join('')}`);
const amount = fc.bigInt({ min: 1n, max: MAX_AMOUNT });
const rows = fc.array(fc.record({ msisdn, amount }), { minLength: 1, maxLength: 40 });
const layout = fc.record({
  bom: fc.boolean(),
  crlf: fc.boolean(),
  delimiter: fc.constantFrom(',', ';'),
  finalNewline: fc.boolean(),
});
type Layout = { bom: boolean; crlf: boolean; delimiter: ',' | ';'; finalNewline: boolean };

function fileOf(lines: string[][], shape: Layout): Buffer {
  const eol = shape.crlf ? '\r\n' : '\n';
  const text = lines.map((fields) => fields.join(shape.delimiter)).join(eol) + (shape.finalNewline ? eol : '');
  return Buffer.concat([shape.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
}

function linesOf(valid: ValidRow[]): string[][] {
  return [[...COLUMNS], ...valid.map((row) => ['MSISDN', row.msisdn, 'XOF', row.amount.toString()])];
}

describe('readBulkCsv, property-based', () => {
  it('(a) accepts any valid file with exactly its lines and amounts', async () => {
    await fc.assert(
      fc.asyncProperty(rows, layout, fc.integer({ min: 1, max: 64 }), async (valid, shape, chunkSize) => {
        const result = await read(fileOf(linesOf(valid), shape), chunkSize);
        if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.failure)}`);
        expect(result.content.currency).toBe('XOF');
        expect(result.content.lines.count).toBe(valid.length);
        expect(result.content.lines.total).toBe(valid.reduce((sum, row) => sum + row.amount, 0n));
      }),
      { numRuns: 150 },
    );
  });

  it('(b) never throws on arbitrary text or bytes; every error has a positive line, a column field and a code', async () => {
    const header = fc.constantFrom('', 'type_id,valeur_id,devise,montant\n', 'type_id;valeur_id;devise;montant\r\n');
    const body = fc.oneof(
      fc.string({ maxLength: 300 }).map((text) => Buffer.from(text, 'utf8')),
      fc
        .string({
          unit: fc.constantFrom(',', ';', '"', '\n', '\r', ' ', 'a', '1', 'X', 'O', 'F', 'M', '\u00e9', '='),
          maxLength: 300,
        })
        .map((text) => Buffer.from(text, 'utf8')),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    );
    await fc.assert(
      fc.asyncProperty(header, body, fc.integer({ min: 1, max: 64 }), async (head, rest, chunkSize) => {
        const result = await read(Buffer.concat([Buffer.from(head, 'utf8'), rest]), chunkSize);
        if (result.ok) {
          expect(result.content.lines.count).toBeGreaterThan(0);
          return;
        }
        expect([
          'empty_file',
          'invalid_encoding',
          'invalid_header',
          'no_rows',
          'too_many_rows',
          'invalid_file',
        ]).toContain(result.failure.code);
        if (result.failure.code !== 'invalid_file') return;
        const errors = result.failure.details!.errors as Array<{ line: number; column: string | null; code: string }>;
        expect(errors.length).toBeGreaterThan(0);
        for (const issue of errors) {
          expect(Number.isInteger(issue.line) && issue.line > 0).toBe(true);
          expect(issue.column === null || (COLUMNS as readonly string[]).includes(issue.column)).toBe(true);
          expect(typeof issue.code).toBe('string');
          expect(issue.code.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('(c) one cell made invalid is reported at its line and column', async () => {
    const badValues: Record<(typeof COLUMNS)[number], string[]> = {
      type_id: ['', 'PASSPORT', 'MSISDN2'],
      valeur_id: ['', '0123456', '+22997000001', '=HYPERLINK("x")', 'abc'],
      devise: ['', 'ZZZ', 'EUR', 'X0F'],
      montant: ['', '0', '-5', '1e6', '1 000', '10.5', '99999999999999999999999', 'abc'],
    };
    const mutation = fc
      .constantFrom(...COLUMNS)
      .chain((column) => fc.record({ column: fc.constant(column), value: fc.constantFrom(...badValues[column]) }));
    await fc.assert(
      fc.asyncProperty(rows, layout, mutation, fc.nat(), async (valid, shape, bad, pick) => {
        const lines = linesOf(valid);
        const row = 1 + (pick % valid.length);
        lines[row]![COLUMNS.indexOf(bad.column)] = bad.value;
        // Quoted so that a value with a separator stays one field.
        lines[row] = lines[row]!.map((field) => `"${field.replace(/"/g, '""')}"`);
        const result = await read(fileOf(lines, shape));
        if (result.ok)
          throw new Error(`accepted a file with ${bad.column}=${JSON.stringify(bad.value)} on line ${row + 1}`);
        expect(result.failure.code).toBe('invalid_file');
        const errors = result.failure.details!.errors as Array<{ line: number; column: string | null }>;
        expect(errors).toContainEqual(expect.objectContaining({ line: row + 1, column: bad.column }));
      }),
      { numRuns: 200 },
    );
  });
});
