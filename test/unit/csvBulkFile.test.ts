import { type BulkCsvOptions, type BulkCsvResult, readBulkCsv } from '../../src/payouts/rules/csv/readBulkCsv';
import { PARTY_ID_TYPES } from '../../src/domain/partyIdTypes';
import { localize } from '../../src/i18n/message';

const RULES: BulkCsvOptions = {
  payerCurrencies: ['XOF'],
  maxAmountPerLine: 5_000_000n,
  maxRows: 100,
  maxErrorsReported: 100,
};

/** Feeds the file in small chunks, so lines and characters are split across chunks as with a real stream. */
async function read(
  content: string | Buffer,
  options: Partial<BulkCsvOptions> = {},
  chunkSize = 7,
): Promise<BulkCsvResult> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let start = 0; start < bytes.length; start += chunkSize) yield bytes.subarray(start, start + chunkSize);
  }
  return readBulkCsv(chunks(), { ...RULES, ...options });
}

async function content(text: string | Buffer, options: Partial<BulkCsvOptions> = {}) {
  const result = await read(text, options);
  if (!result.ok) throw new Error(`expected a valid file, got ${JSON.stringify(result.failure)}`);
  return result.content;
}

async function failure(text: string | Buffer, options: Partial<BulkCsvOptions> = {}) {
  const result = await read(text, options);
  if (result.ok) throw new Error('expected the file to be refused');
  // The English text, as the API answers it with Accept-Language: en (the French is checked apart).
  return localize(result.failure, 'en') as { code: string; message: string; details?: Record<string, unknown> };
}

async function errorsOf(text: string, options: Partial<BulkCsvOptions> = {}) {
  const refused = await failure(text, options);
  expect(refused.code).toBe('invalid_file');
  return (refused.details as { errors: Array<{ line: number; column: string | null; code: string; message: string }> })
    .errors;
}

const HEADER = 'type_id,valeur_id,devise,montant\n';

describe('readBulkCsv: messages', () => {
  it('says each problem in French and in English, code and place the same', async () => {
    const result = await read(`${HEADER}MSISDN,22997000001,XOF,\nPHONE,22997000002,XOF,1500\n`);
    expect(result).toMatchObject({ ok: false, failure: { code: 'invalid_file' } });
    if (result.ok) return;
    expect(result.failure.message).toEqual({
      fr: "Le fichier contient des erreurs ; rien n'a été créé. Corrigez-les et envoyez-le de nouveau.",
      en: 'The file has errors; nothing was created. Correct them and upload it again.',
    });
    expect(result.failure.details?.errors).toEqual([
      { line: 2, column: 'montant', code: 'required', message: { fr: 'montant est vide.', en: 'montant is empty.' } },
      {
        line: 3,
        column: 'type_id',
        code: 'invalid_type_id',
        message: {
          fr: `"PHONE" n'est pas l'une des valeurs autorisées : ${PARTY_ID_TYPES.join(', ')}.`,
          en: `"PHONE" is not one of ${PARTY_ID_TYPES.join(', ')}.`,
        },
      },
    ]);
  });
});

describe('readBulkCsv: a valid file', () => {
  it('keeps every line with its physical line number, the exact minor-unit amounts and their total', async () => {
    const file = await content(`${HEADER}MSISDN,22997000001,XOF,15000\nMSISDN,22997000002,XOF,2500\n`);
    expect(file.lines.count).toBe(2);
    expect(file.lines.lineNumbers).toEqual([2, 3]);
    expect(file.lines.identifiers).toEqual(['22997000001', '22997000002']);
    expect(file.lines.amounts).toEqual([15000n, 2500n]);
    expect(file.lines.total).toBe(17500n);
    expect(file.currency).toBe('XOF');
    expect(file.warnings).toEqual([]);
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts a UTF-8 BOM, CRLF line ends, ";" as separator, spaces around values and a header in any case', async () => {
    const file = await content(
      '\uFEFF Type_ID ; VALEUR_ID;Devise ; MONTANT \r\n MSISDN ; 22997000001 ; XOF ; 1500 \r\nmsisdn;22997000002;xof;2000\r\n',
    );
    expect(file.lines.lineNumbers).toEqual([2, 3]);
    expect(file.lines.partyIdTypes).toEqual(['MSISDN', 'MSISDN']);
    expect(file.lines.identifiers).toEqual(['22997000001', '22997000002']);
    expect(file.lines.amounts).toEqual([1500n, 2000n]);
  });

  it('follows the column order of the header', async () => {
    const file = await content('montant,devise,valeur_id,type_id\n1500,XOF,22997000001,MSISDN\n');
    expect(file.lines.identifiers).toEqual(['22997000001']);
    expect(file.lines.amounts).toEqual([1500n]);
  });

  it('skips blank lines but keeps counting them, so line numbers match the file', async () => {
    const file = await content(`${HEADER}\nMSISDN,22997000001,XOF,1500\n   \n,,,\nMSISDN,22997000002,XOF,1500\n\n`);
    expect(file.lines.lineNumbers).toEqual([3, 6]);
  });

  it('reads quoted fields', async () => {
    const file = await content(`${HEADER}"MSISDN","22997000001","XOF","20"\n`);
    expect(file.lines.amounts).toEqual([20n]);
  });

  it('numbers lines correctly after a quoted line break (itself refused: no identifier holds one)', async () => {
    const errors = await errorsOf(`${HEADER}ALIAS,"a\r\nb",XOF,10\nMSISDN,0,XOF,20\n`);
    expect(errors.map((error) => [error.line, error.column, error.code])).toEqual([
      [2, 'valeur_id', 'invalid_identifier'],
      [4, 'valeur_id', 'invalid_msisdn'],
    ]);
  });

  it('numbers lines correctly when LF and CRLF line ends are mixed', async () => {
    const file = await content(
      `${HEADER}MSISDN,22997000001,XOF,1\r\nMSISDN,22997000002,XOF,1\nMSISDN,22997000003,XOF,1\r\n`,
    );
    expect(file.lines.lineNumbers).toEqual([2, 3, 4]);
  });

  it('stores decimals of a 2-decimal and a 3-decimal currency as exact minor units', async () => {
    const usd = await content(`${HEADER}MSISDN,22997000001,USD,12.5\nMSISDN,22997000002,USD,0.01\n`, {
      payerCurrencies: ['USD'],
    });
    expect(usd.lines.amounts).toEqual([1250n, 1n]);
    const kwd = await content(`${HEADER}MSISDN,22997000001,KWD,1.234\n`, { payerCurrencies: ['KWD'] });
    expect(kwd.lines.amounts).toEqual([1234n]);
  });

  it('warns about a line repeating an earlier payee and amount, without refusing the file', async () => {
    const file = await content(
      `${HEADER}MSISDN,22997000001,XOF,1500\nMSISDN,22997000002,XOF,1500\nMSISDN,22997000001,XOF,1500\nMSISDN,22997000001,XOF,1600\n`,
    );
    expect(file.lines.count).toBe(4);
    expect(file.warnings).toEqual([
      {
        line: 4,
        code: 'duplicate_line',
        message: { fr: expect.stringContaining('ligne 2'), en: expect.stringContaining('line 2') },
        duplicate_of_line: 2,
      },
    ]);
  });

  it('gives the same lines whatever the chunk boundaries (CRLF, BOM and multi-byte characters split)', async () => {
    const text = '\uFEFFtype_id;valeur_id;devise;montant\r\nALIAS;Kpétémé;XOF;1500\r\nMSISDN;22997000001;XOF;2500\r\n';
    for (let chunkSize = 1; chunkSize <= 12; chunkSize += 1) {
      const result = await read(text, {}, chunkSize);
      expect(result.ok && [result.content.lines.lineNumbers, result.content.lines.identifiers]).toEqual([
        [2, 3],
        ['Kpétémé', '22997000001'],
      ]);
    }
  });

  it('hashes the raw bytes: the same content gives the same hash, another content another', async () => {
    const text = `${HEADER}MSISDN,22997000001,XOF,1500\n`;
    const first = await content(text);
    const again = await content(text);
    const other = await content(`${HEADER}MSISDN,22997000001,XOF,1501\n`);
    expect(again.sha256).toBe(first.sha256);
    expect(other.sha256).not.toBe(first.sha256);
  });

  it('with several payer currencies, takes the file currency from its lines', async () => {
    const file = await content(`${HEADER}MSISDN,22997000001,EUR,1.5\n`, { payerCurrencies: ['XOF', 'EUR'] });
    expect(file.currency).toBe('EUR');
    expect(file.lines.amounts).toEqual([150n]);
  });
});

describe('readBulkCsv: per-line errors name the line and the column', () => {
  it('type_id must be a Mojaloop party id type', async () => {
    expect(await errorsOf(`${HEADER}PHONE,22997000001,XOF,1500\n,22997000001,XOF,1500\n`)).toEqual([
      { line: 2, column: 'type_id', code: 'invalid_type_id', message: expect.stringContaining('PHONE') },
      { line: 3, column: 'type_id', code: 'required', message: expect.any(String) },
    ]);
  });

  it.each([
    ['+22997000001', 'invalid_msisdn'],
    ['022997000001', 'invalid_msisdn'],
    ['1234', 'invalid_msisdn'],
    ['1234567890123456', 'invalid_msisdn'],
    ['2299700000a', 'invalid_msisdn'],
    ['', 'required'],
  ])('MSISDN %p is refused with %s', async (value, code) => {
    expect(await errorsOf(`${HEADER}MSISDN,${value},XOF,1500\n`)).toEqual([
      { line: 2, column: 'valeur_id', code, message: expect.any(String) },
    ]);
  });

  it('accepts MSISDNs of 5 and 15 digits', async () => {
    const file = await content(`${HEADER}MSISDN,12345,XOF,1\nMSISDN,123456789012345,XOF,1\n`);
    expect(file.lines.count).toBe(2);
  });

  it('checks EMAIL and IBAN identifiers, and only non-emptiness, length and control characters for the others', async () => {
    const valid = await content(
      `${HEADER}EMAIL,jean.dupont@example.bj,XOF,1\nIBAN,BJ0610100100144390000769,XOF,1\nPERSONAL_ID,AB 12/34,XOF,1\nACCOUNT_ID,${'x'.repeat(128)},XOF,1\n`,
    );
    expect(valid.lines.count).toBe(4);
    const errors = await errorsOf(
      `${HEADER}EMAIL,jean.dupont@,XOF,1\nEMAIL,a b@example.bj,XOF,1\nIBAN,BJ06,XOF,1\nIBAN,0606101001001443900007,XOF,1\nALIAS,${'x'.repeat(129)},XOF,1\nDEVICE,"a\u0007b",XOF,1\n`,
    );
    expect(errors.map((error) => [error.line, error.column, error.code])).toEqual([
      [2, 'valeur_id', 'invalid_email'],
      [3, 'valeur_id', 'invalid_email'],
      [4, 'valeur_id', 'invalid_iban'],
      [5, 'valeur_id', 'invalid_iban'],
      [6, 'valeur_id', 'invalid_identifier'],
      [7, 'valeur_id', 'invalid_identifier'],
    ]);
  });

  it('devise must be a known ISO 4217 code and the payer account currency', async () => {
    const errors = await errorsOf(
      `${HEADER}MSISDN,22997000001,ABC,1500\nMSISDN,22997000001,USD,1500\nMSISDN,22997000001,,1500\n`,
    );
    expect(errors.map((error) => [error.line, error.column, error.code])).toEqual([
      [2, 'devise', 'unknown_currency'],
      [3, 'devise', 'currency_mismatch'],
      [4, 'devise', 'required'],
    ]);
    expect(errors[1]!.message).toContain('XOF');
  });

  it('a file pays in one currency only', async () => {
    const errors = await errorsOf(`${HEADER}MSISDN,22997000001,XOF,1500\nMSISDN,22997000002,EUR,15\n`, {
      payerCurrencies: ['XOF', 'EUR'],
    });
    expect(errors).toEqual([{ line: 3, column: 'devise', code: 'mixed_currencies', message: expect.any(String) }]);
  });

  it.each([
    ['0', 'amount_not_positive'],
    ['-5', 'invalid_amount'],
    ['1 500', 'invalid_amount'],
    ['1,5', 'invalid_amount'],
    ['1e3', 'invalid_amount'],
    ['abc', 'invalid_amount'],
    ['1500.5', 'too_many_decimals'],
    ['5000001', 'amount_above_limit'],
    ['', 'required'],
  ])('XOF montant %p is refused with %s', async (value, code) => {
    const line = value.includes(',') ? `MSISDN,22997000001,XOF,"${value}"` : `MSISDN,22997000001,XOF,${value}`;
    expect(await errorsOf(`${HEADER}${line}\n`)).toEqual([
      { line: 2, column: 'montant', code, message: expect.any(String) },
    ]);
  });

  it('accepts the per-line maximum itself, and trailing zero decimals', async () => {
    const file = await content(`${HEADER}MSISDN,22997000001,XOF,5000000\nMSISDN,22997000001,XOF,1500.00\n`);
    expect(file.lines.amounts).toEqual([5_000_000n, 1500n]);
  });

  it('refuses more decimals than a 2-decimal currency allows', async () => {
    const errors = await errorsOf(`${HEADER}MSISDN,22997000001,USD,1.005\n`, { payerCurrencies: ['USD'] });
    expect(errors).toEqual([
      { line: 2, column: 'montant', code: 'too_many_decimals', message: expect.stringContaining('2 decimals') },
    ]);
  });

  it('reports a wrong number of fields as a whole-line error', async () => {
    expect(await errorsOf(`${HEADER}MSISDN,22997000001,XOF\nMSISDN,22997000001,XOF,1,2\n`)).toEqual([
      { line: 2, column: null, code: 'wrong_column_count', message: expect.stringContaining('found 3') },
      { line: 3, column: null, code: 'wrong_column_count', message: expect.stringContaining('found 5') },
    ]);
  });

  it('reports every error of every line, in line order, several per line', async () => {
    const errors = await errorsOf(`${HEADER}MSISDN,22997000001,XOF,1500\nFOO,,XYZ,-1\r\nMSISDN,0123,XOF,12.5\n`);
    expect(errors.map((error) => [error.line, error.column, error.code])).toEqual([
      [3, 'type_id', 'invalid_type_id'],
      [3, 'valeur_id', 'required'],
      [3, 'devise', 'unknown_currency'],
      [3, 'montant', 'invalid_amount'],
      [4, 'valeur_id', 'invalid_msisdn'],
      [4, 'montant', 'too_many_decimals'],
    ]);
  });

  it('reports at most maxErrorsReported errors, and says there were more', async () => {
    const lines = Array.from({ length: 10 }, () => 'MSISDN,0,XOF,1\n').join('');
    const refused = await failure(`${HEADER}${lines}`, { maxErrorsReported: 3 });
    expect(refused.code).toBe('invalid_file');
    expect(refused.details).toEqual({ errors: expect.any(Array), errors_truncated: true });
    expect((refused.details as { errors: unknown[] }).errors).toHaveLength(3);
  });

  it('reports a broken quote at its line, with the errors before it', async () => {
    const errors = await errorsOf(`${HEADER}MSISDN,0,XOF,1\nMSISDN,"2299"7,XOF,1\nMSISDN,22997000001,XOF,1\n`);
    expect(errors.map((error) => [error.line, error.column, error.code])).toEqual([
      [2, 'valeur_id', 'invalid_msisdn'],
      [3, null, 'malformed_csv'],
    ]);
  });

  it('reports an unclosed quote at the line where it opens', async () => {
    const errors = await errorsOf(
      `${HEADER}MSISDN,22997000001,XOF,1\nMSISDN,"22997000002,XOF,1\nMSISDN,22997000003,XOF,1\n`,
    );
    expect(errors).toEqual([{ line: 3, column: null, code: 'malformed_csv', message: expect.any(String) }]);
  });
});

describe('readBulkCsv: whole-file problems', () => {
  it.each([[''], ['\uFEFF'], ['\n\r\n  \n']])('an empty file (%j) is empty_file', async (text) => {
    expect((await failure(text)).code).toBe('empty_file');
  });

  it('a header without lines is no_rows', async () => {
    expect((await failure(HEADER)).code).toBe('no_rows');
    expect((await failure(`${HEADER}\n\n`)).code).toBe('no_rows');
  });

  it('a missing column is invalid_header on line 1, naming it', async () => {
    const refused = await failure('type_id,valeur_id,montant\nMSISDN,22997000001,1500\n');
    expect(refused.code).toBe('invalid_header');
    expect(refused.details).toMatchObject({ line: 1, missing: ['devise'], unknown: [] });
    expect(refused.message).toContain('devise');
  });

  it('an unknown or repeated column is invalid_header, naming it', async () => {
    const unknown = await failure('type_id,valeur_id,devise,montant,name\n');
    expect(unknown.details).toMatchObject({ line: 1, missing: [], unknown: ['name'] });
    const repeated = await failure('type_id,valeur_id,devise,montant,montant\n');
    expect(repeated.details).toMatchObject({ duplicated: ['montant'] });
  });

  it('a file whose first line is data, not the header, is invalid_header', async () => {
    const refused = await failure('MSISDN,22997000001,XOF,1500\n');
    expect(refused.code).toBe('invalid_header');
    expect(refused.details).toMatchObject({ line: 1, missing: ['type_id', 'valeur_id', 'devise', 'montant'] });
  });

  it('more lines than maxRows is too_many_rows (blank lines do not count)', async () => {
    const body = 'MSISDN,22997000001,XOF,1\n\n'.repeat(3);
    expect((await failure(`${HEADER}${body}`, { maxRows: 2 })).code).toBe('too_many_rows');
    expect((await content(`${HEADER}${body}`, { maxRows: 3 })).lines.count).toBe(3);
  });

  it('Latin-1 text is invalid_encoding, with the line of the first bad byte', async () => {
    const latin1 = Buffer.from(`${HEADER}MSISDN,22997000001,XOF,1500\nALIAS,K\u00e9t\u00e9,XOF,1500\n`, 'latin1');
    const refused = await failure(latin1);
    expect(refused).toEqual({ code: 'invalid_encoding', message: expect.any(String), details: { line: 3 } });
  });

  it('binary content is invalid_encoding', async () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]);
    expect((await failure(zip)).code).toBe('invalid_encoding');
  });

  it('accepts multi-byte UTF-8 characters split across chunks', async () => {
    const file = await content(`${HEADER}ALIAS,Kpétémé-Adjoa-é,XOF,1500\n`);
    expect(file.lines.identifiers).toEqual(['Kpétémé-Adjoa-é']);
  });
  it('refuses the line that takes the file total above 2^53 - 1, so the total stays an exact JSON integer', async () => {
    const half = (Number.MAX_SAFE_INTEGER - 1) / 2;
    const lines = [
      `MSISDN,22997000001,XOF,${half}`,
      `MSISDN,22997000002,XOF,${half}`,
      'MSISDN,22997000003,XOF,1',
      'MSISDN,22997000004,XOF,1',
    ];
    const options = { maxAmountPerLine: BigInt(Number.MAX_SAFE_INTEGER) };
    const errors = await errorsOf(`${HEADER}${lines.join('\n')}\n`, options);
    expect(errors).toEqual([
      { line: 5, column: 'montant', code: 'total_above_limit', message: expect.stringContaining('9007199254740991') },
    ]);
    const exact = await content(`${HEADER}${lines.slice(0, 3).join('\n')}\n`, options);
    expect(exact.lines.total).toBe(BigInt(Number.MAX_SAFE_INTEGER));
  });
});

describe('readBulkCsv: the optional `nom` column', () => {
  it('keeps each line its expected name, spaces collapsed; an empty one checks nothing', async () => {
    const read = await content(
      'NOM;type_id;valeur_id;devise;montant\n  Awa   Traoré ;MSISDN;22997000001;XOF;100\n;MSISDN;22997000002;XOF;200\n',
    );
    expect(read.lines.expectedNames).toEqual(['Awa Traoré', null]);
  });

  it('gives a file without it no expected names', async () => {
    const read = await content(`${HEADER}MSISDN,22997000001,XOF,100\n`);
    expect(read.lines.expectedNames).toEqual([null]);
  });

  it('refuses a name with control characters or too long, at its line and column', async () => {
    const errors = await errorsOf(
      `type_id,valeur_id,devise,montant,nom\nMSISDN,22997000001,XOF,100,"Awa\u0007"\nMSISDN,22997000002,XOF,100,${'a'.repeat(201)}\n`,
    );
    expect(errors).toEqual([
      expect.objectContaining({ line: 2, column: 'nom', code: 'invalid_name' }),
      expect.objectContaining({ line: 3, column: 'nom', code: 'too_long' }),
    ]);
  });
});
