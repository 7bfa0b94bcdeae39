import { csvCell, csvRecord, csvReportChunks, neutraliseFormula, quoteCsvField, UTF8_BOM } from '../../src/reports/csv';
import { jsonReportChunks } from '../../src/reports/json';
import { REPORT_COLUMNS, type ReportRow, toReportRow, type TransferRecord } from '../../src/reports/reportRow';

const record: TransferRecord = {
  line_number: 7,
  transfer_id: '0b7f3c9e-5a8d-4c52-9f0e-2d6a1b3c4e5f',
  mojaloop_transfer_id: '01JD3K6Q8X2Y4Z6A8B0C2D4E6F',
  payee_party_id_type: 'MSISDN',
  payee_party_identifier: '22997000001',
  payee_name: 'Adjoa Kpétémé',
  payee_fsp_id: 'mtnbenin',
  amount: '45000',
  fee_amount: '0',
  currency: 'XOF',
  status: 'COMPLETED',
  failure_code: null,
  failure_message: null,
  completed_at: new Date('2026-11-28T09:15:30.123Z'),
  expected_payee_name: 'KPETEME Adjoa',
  name_match_score: 1,
  hold_decision: null,
};

async function* pagesOf(...pages: ReportRow[][]): AsyncGenerator<ReportRow[]> {
  for (const page of pages) yield page;
}

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe('report rows', () => {
  it('keeps amounts as integer strings and dates as ISO 8601 UTC', () => {
    const row = toReportRow({ ...record, currency: 'XOF' });
    expect(row.amount).toBe('45000');
    expect(row.fee_amount).toBe('0');
    expect(row.completed_at).toBe('2026-11-28T09:15:30.123Z');
    expect(toReportRow({ ...record, fee_amount: null, completed_at: null })).toMatchObject({
      fee_amount: null,
      completed_at: null,
    });
  });

  it('trims the padding of a char(3) currency', () => {
    expect(toReportRow({ ...record, currency: 'XOF ' }).currency).toBe('XOF');
  });
});

describe('formula neutralisation', () => {
  it.each(['=HYPERLINK("http://evil","x")', '+33 1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'])(
    'prefixes a quote to %j',
    (cell) => {
      expect(neutraliseFormula(cell)).toBe(`'${cell}`);
    },
  );

  it.each([
    'Adjoa',
    '45000',
    '',
    "'already",
    ' =not first',
    '2026-11-28T09:15:30.123Z',
    'a=b',
    'Koffi; Agbo',
    "X;'=done",
  ])('leaves %j alone', (cell) => {
    expect(neutraliseFormula(cell)).toBe(cell);
  });

  it.each([
    ["X;=cmd|' /C calc'!A0", "X;'=cmd|' /C calc'!A0"],
    ['X,=cmd|x', "X,'=cmd|x"],
    ['a;+1;-2;@SUM(A1)', "a;'+1;'-2;'@SUM(A1)"],
    ['=a;;=b', "'=a;;'=b"],
    ['two\n=lines', "two\n'=lines"],
    ['x;\tcmd', "x;'\tcmd"],
    ['Awa\t=HYPERLINK("http://evil","x")', 'Awa\t\'=HYPERLINK("http://evil","x")'],
    ['Awa|=cmd', "Awa|'=cmd"],
    ['x;\t=cmd', "x;'\t'=cmd"],
    ['x\r\r=cmd', "x\r'\r'=cmd"],
  ])('neutralises a formula after a separator inside the cell: %j', (cell, expected) => {
    expect(neutraliseFormula(cell)).toBe(expected);
  });
});

describe('a payee name built to split into a formula', () => {
  const hostile = "X;=cmd|' /C calc'!A0";

  /** What a spreadsheet opening the file with `;` as separator sees, quotes respected (RFC 4180). */
  function splitOnSemicolons(line: string): string[] {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const char = line[i]!;
      if (quoted && char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = !quoted;
      else if (char === ';' && !quoted) {
        cells.push(cell);
        cell = '';
      } else cell += char;
    }
    cells.push(cell);
    return cells;
  }

  const startsFormula = (cell: string) => /^[=+\-@\t\r]/.test(cell);

  it('is one quoted cell, and no cell starts a formula whether quotes are respected or not', () => {
    const line = csvRecord(toReportRow({ ...record, payee_name: hostile })).replace(/\r\n$/, '');
    expect(line).toContain(`"X;'=cmd|' /C calc'!A0"`);
    expect(splitOnSemicolons(line).some(startsFormula)).toBe(false);
    // A splitter that ignores quotes altogether (split on ; or on ,) finds no formula either.
    expect(line.split(';').some(startsFormula)).toBe(false);
    expect(line.split(',').some(startsFormula)).toBe(false);
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes commas, quotes and line breaks, doubling inner quotes', () => {
    expect(quoteCsvField('plain')).toBe('plain');
    expect(quoteCsvField('Doe, John')).toBe('"Doe, John"');
    expect(quoteCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteCsvField('two\nlines')).toBe('"two\nlines"');
    expect(quoteCsvField('Koffi; Agbo')).toBe('"Koffi; Agbo"');
    expect(quoteCsvField('cr\rhere')).toBe('"cr\rhere"');
    expect(quoteCsvField('tab\there')).toBe('"tab\there"');
    expect(quoteCsvField('pipe|here')).toBe('"pipe|here"');
  });

  it('neutralises before quoting, and writes null as an empty cell', () => {
    expect(csvCell('=1+2,3')).toBe(`"'=1+2,3"`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(12)).toBe('12');
  });

  it('writes a record in column order, ending with CRLF', () => {
    const line = csvRecord(
      toReportRow({ ...record, status: 'FAILED', failure_code: '3204', failure_message: 'Party not found, sorry' }),
    );
    expect(line).toBe(
      '7,0b7f3c9e-5a8d-4c52-9f0e-2d6a1b3c4e5f,01JD3K6Q8X2Y4Z6A8B0C2D4E6F,MSISDN,22997000001,Adjoa Kpétémé,mtnbenin,' +
        '45000,0,XOF,FAILED,3204,"Party not found, sorry",2026-11-28T09:15:30.123Z,KPETEME Adjoa,1,\r\n',
    );
  });

  it('starts with the BOM and the header, then the rows of every page', async () => {
    const rows = [1, 2, 3].map((n) => toReportRow({ ...record, line_number: n }));
    const text = await collect(csvReportChunks(pagesOf(rows.slice(0, 2), [], rows.slice(2))));
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe(REPORT_COLUMNS.join(','));
    expect(lines.slice(1, 4).map((line) => line.split(',')[0])).toEqual(['1', '2', '3']);
    expect(lines[4]).toBe('');
    expect(lines).toHaveLength(5);
  });

  it('writes only the header for a bulk without transfers', async () => {
    expect(await collect(csvReportChunks(pagesOf()))).toBe(UTF8_BOM + REPORT_COLUMNS.join(',') + '\r\n');
  });
});

describe('JSON report', () => {
  const header = { bulk_id: 'b6f1d1c4-0000-4000-8000-000000000001', generated_at: '2026-11-28T10:00:00.000Z' };

  it('is one valid document across pages, with exact (not neutralised) values', async () => {
    const rows = [1, 2, 3].map((n) => toReportRow({ ...record, line_number: n, payee_name: '=cmd|x' }));
    const text = await collect(jsonReportChunks(header, pagesOf([rows[0]!], [], rows.slice(1))));
    const document = JSON.parse(text);
    expect(document.bulk_id).toBe(header.bulk_id);
    expect(document.generated_at).toBe(header.generated_at);
    expect(document.transfers.map((t: ReportRow) => t.line_number)).toEqual([1, 2, 3]);
    // Amounts are JSON integers in the JSON report (integer strings in the row and the CSV).
    expect(document.transfers[0]).toEqual({ ...rows[0], amount: 45000, fee_amount: 0 });
    expect(Object.keys(document.transfers[0])).toEqual([...REPORT_COLUMNS]);
    expect(document.transfers[2].payee_name).toBe('=cmd|x');
  });

  it('writes amounts as exact JSON integers, and a missing fee as null', async () => {
    const row = toReportRow({ ...record, amount: '9007199254740993', fee_amount: null });
    const text = await collect(jsonReportChunks(header, pagesOf([row])));
    expect(text).toContain('"amount":9007199254740993,"fee_amount":null,');
  });

  it('has an empty list for a bulk without transfers', async () => {
    expect(JSON.parse(await collect(jsonReportChunks(header, pagesOf())))).toEqual({ ...header, transfers: [] });
  });
});
