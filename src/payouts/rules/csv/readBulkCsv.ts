/**
 * Reads and checks a whole pension list, streaming: bytes in (a file stream, or chunks in a test), the valid
 * lines or every problem out. The file is decoded and parsed chunk by chunk with csv-parse, so its size costs
 * memory only through the valid lines kept (see BulkLines). No I/O of its own: the caller opens the file.
 *
 * Line numbers are physical lines of the file (header = 1), as a spreadsheet or an editor shows them.
 */
import { createHash, type Hash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { Message } from '../../../i18n/message';
import { BulkLines } from '../bulkLines';
import {
  BULK_COLUMNS,
  type CsvIssue,
  type CsvWarning,
  EMPTY_FILE,
  malformedLine,
  NOT_UTF8,
  wrongColumnCount,
} from './bulkCsvFormat';
import { type ColumnIndexes, type Delimiter, describeHeaderProblem, detectDelimiter, parseHeader } from './header';
import { checkLine, type LineRules } from './lineRules';

export interface BulkCsvOptions extends LineRules {
  maxRows: number;
  /** Errors (and warnings) reported at most; reading stops once there are more errors. */
  maxErrorsReported: number;
}

export interface BulkCsvContent {
  lines: BulkLines;
  currency: string;
  /** Of the raw bytes, to recognise the same file uploaded twice. */
  sha256: string;
  warnings: CsvWarning[];
  warningsTruncated: boolean;
}

export type BulkCsvFailureCode =
  'empty_file' | 'invalid_encoding' | 'invalid_header' | 'no_rows' | 'too_many_rows' | 'invalid_file';

export interface BulkCsvFailure {
  code: BulkCsvFailureCode;
  message: Message;
  details?: Record<string, unknown>;
}

export type BulkCsvResult = { ok: true; content: BulkCsvContent } | { ok: false; failure: BulkCsvFailure };

/** A single record larger than this is no pension line; it would only cost memory. */
const MAX_RECORD_BYTES = 64 * 1024;
/** How far to look for the end of the header line before deciding on the separator anyway. */
const MAX_HEADER_PEEK = 64 * 1024;

export async function readBulkCsv(
  chunks: AsyncIterable<Buffer | Uint8Array>,
  options: BulkCsvOptions,
): Promise<BulkCsvResult> {
  const decoding: DecodingState = { hash: createHash('sha256'), invalidAtLine: null };
  const text = decodeUtf8(chunks, decoding);
  const { head, rest } = await peekFirstLine(text);
  const delimiter = detectDelimiter(firstLineOf(head));

  let malformed: { lines: number; message: string } | null = null;
  const parser = parse({
    delimiter,
    trim: true,
    // Field counts are checked here, per line, to report them like any other problem.
    relax_column_count: true,
    // Blank lines come through as records, so that every physical line is counted (see the loop below).
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
    // A broken quote must not throw away what was read before it: it is reported, and reading stops there.
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (error && malformed === null) malformed = { lines: lineOfCsvError(error), message: error.message };
      return undefined;
    },
  });
  const source = Readable.from(prepend(head, rest));
  pipeline(source, parser, () => undefined); // errors surface through the iteration below

  const reader = new LineReader(options, delimiter);
  // Counted here rather than with csv-parse's `info` option, which costs more than the rest of the reading.
  // Line breaks are all LF by now (decodeUtf8), and only a quoted field can hold one.
  let previousRecordEnd = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const startLine = previousRecordEnd + 1;
      const endLine = startLine + lineBreaksIn(record);
      const brokenAt = (malformed as { lines: number } | null)?.lines;
      // After a broken quote the parser can only guess where records start: stop trusting it.
      if (brokenAt !== undefined && endLine >= brokenAt) break;
      previousRecordEnd = endLine;
      const verdict = reader.accept(record, startLine);
      if (verdict !== 'continue') break;
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    malformed ??= { lines: lineOfCsvError(error), message: error.message };
  } finally {
    source.destroy();
    parser.destroy();
  }

  if (decoding.invalidAtLine !== null) {
    return failure('invalid_encoding', NOT_UTF8, { line: decoding.invalidAtLine });
  }
  if (malformed !== null) reader.addMalformed(Math.min(malformed.lines, previousRecordEnd + 1), malformed.message);
  return reader.result(decoding.hash.digest('hex'));
}

/** csv-parse puts the line it was reading on its errors (typed loosely). */
function lineOfCsvError(error: CsvError): number {
  return typeof error.lines === 'number' ? error.lines : 1;
}

function failure(code: BulkCsvFailureCode, message: Message, details?: Record<string, unknown>): BulkCsvResult {
  return { ok: false, failure: details === undefined ? { code, message } : { code, message, details } };
}

/** Amounts are JSON integers at the API: a file's total must stay exact in any JSON reader (below 2^53). */
const MAX_EXACT_TOTAL = BigInt(Number.MAX_SAFE_INTEGER);
const TOTAL_ABOVE_LIMIT = {
  fr: `Avec cette ligne, le total du fichier dépasse ${Number.MAX_SAFE_INTEGER} unités : scindez le fichier.`,
  en: `With this line the file's total exceeds ${Number.MAX_SAFE_INTEGER} units: split the file.`,
};

/** Everything after the header: one record at a time, keeping the valid lines and the problems. */
class LineReader {
  private columns: ColumnIndexes | null = null;
  private headerLength = 0;
  private headerFailure: BulkCsvResult | null = null;
  private tooManyRows = false;
  private rows = 0;
  private fileCurrency: string | null = null;
  private readonly lines = new BulkLines();
  private readonly errors: CsvIssue[] = [];
  private errorsTruncated = false;
  private readonly warnings: CsvWarning[] = [];
  private warningsTruncated = false;

  constructor(
    private readonly options: BulkCsvOptions,
    private readonly delimiter: Delimiter,
  ) {}

  /** 'stop' when reading further cannot change the answer. */
  accept(record: string[], lineNumber: number): 'continue' | 'stop' {
    if (isBlank(record)) return 'continue';
    if (this.columns === null) return this.acceptHeader(record, lineNumber);

    this.rows += 1;
    if (this.rows > this.options.maxRows) {
      this.tooManyRows = true;
      return 'stop';
    }
    if (record.length !== this.headerLength) {
      this.addError({
        line: lineNumber,
        column: null,
        code: 'wrong_column_count',
        message: wrongColumnCount(this.headerLength, this.delimiter, record.length),
      });
    } else {
      this.checkDataLine(record, lineNumber);
    }
    return this.errorsTruncated ? 'stop' : 'continue';
  }

  addMalformed(lineNumber: number, detail: string): void {
    this.addError({ line: lineNumber, column: null, code: 'malformed_csv', message: malformedLine(detail) });
  }

  result(sha256: string): BulkCsvResult {
    if (this.headerFailure) return this.headerFailure;
    // A first line too broken to read as a header (e.g. one huge record) is a malformed file, not an empty one.
    if (this.columns === null && this.errors.length === 0) return failure('empty_file', EMPTY_FILE);
    if (this.tooManyRows) {
      const { maxRows } = this.options;
      return failure(
        'too_many_rows',
        {
          fr: `Le fichier a plus de ${maxRows} lignes de paiement.`,
          en: `The file has more than ${maxRows} lines of payments.`,
        },
        { max_rows: maxRows },
      );
    }
    if (this.errors.length > 0) {
      const details: Record<string, unknown> = { errors: [...this.errors].sort((a, b) => a.line - b.line) };
      if (this.errorsTruncated) details.errors_truncated = true;
      return failure(
        'invalid_file',
        {
          fr: "Le fichier contient des erreurs ; rien n'a été créé. Corrigez-les et envoyez-le de nouveau.",
          en: 'The file has errors; nothing was created. Correct them and upload it again.',
        },
        details,
      );
    }
    if (this.lines.count === 0 || this.fileCurrency === null) {
      return failure('no_rows', {
        fr: 'Le fichier a un en-tête mais aucune ligne de paiement.',
        en: 'The file has a header but no payment lines.',
      });
    }
    return {
      ok: true,
      content: {
        lines: this.lines,
        currency: this.fileCurrency,
        sha256,
        warnings: this.warnings,
        warningsTruncated: this.warningsTruncated,
      },
    };
  }

  private acceptHeader(record: string[], lineNumber: number): 'continue' | 'stop' {
    const header = parseHeader(record);
    if (!header.ok) {
      this.headerFailure = failure('invalid_header', describeHeaderProblem(header), {
        line: lineNumber,
        expected: [...BULK_COLUMNS],
        missing: header.missing,
        unknown: header.unknown,
        duplicated: header.duplicated,
      });
      return 'stop';
    }
    this.columns = header.columns;
    this.headerLength = record.length;
    return 'continue';
  }

  private checkDataLine(record: string[], lineNumber: number): void {
    const check = checkLine(record, this.columns!, lineNumber, this.options, this.fileCurrency);
    this.fileCurrency ??= check.currency;
    for (const issue of check.issues) this.addError(issue);
    // Once the file is known to be refused, valid lines need not be kept.
    if (!check.line || this.errors.length > 0) return;
    const { partyIdType, identifier, amount, expectedName } = check.line;
    if (this.lines.total + amount > MAX_EXACT_TOTAL) {
      this.addError({ line: lineNumber, column: 'montant', code: 'total_above_limit', message: TOTAL_ABOVE_LIMIT });
      return;
    }
    const earlier = this.lines.add(lineNumber, partyIdType, identifier, amount, expectedName);
    if (earlier !== null) this.addWarning(lineNumber, earlier);
  }

  private addError(issue: CsvIssue): void {
    if (this.errors.length >= this.options.maxErrorsReported) {
      this.errorsTruncated = true;
      return;
    }
    this.errors.push(issue);
  }

  private addWarning(lineNumber: number, earlierLine: number): void {
    if (this.warnings.length >= this.options.maxErrorsReported) {
      this.warningsTruncated = true;
      return;
    }
    this.warnings.push({
      line: lineNumber,
      code: 'duplicate_line',
      message: {
        fr: `La ligne ${lineNumber} paie le même bénéficiaire du même montant que la ligne ${earlierLine}.`,
        en: `Line ${lineNumber} pays the same payee the same amount as line ${earlierLine}.`,
      },
      duplicate_of_line: earlierLine,
    });
  }
}

function lineBreaksIn(record: readonly string[]): number {
  let count = 0;
  for (const field of record) if (field.includes('\n')) count += countNewlines(field);
  return count;
}

function isBlank(record: readonly string[]): boolean {
  return record.every((field) => field.trim() === '');
}

interface DecodingState {
  hash: Hash;
  /** Set when a byte sequence is not UTF-8 or the content is binary; decoding stops there. */
  invalidAtLine: number | null;
}

/**
 * Strict UTF-8 (a leading BOM is dropped), chunk by chunk; stops at the first invalid sequence or NUL byte.
 * CRLF becomes LF: a file edited on two systems mixes both, and csv-parse miscounts lines when they are mixed.
 */
async function* decodeUtf8(chunks: AsyncIterable<Buffer | Uint8Array>, state: DecodingState): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let linesBefore = 0;
  let heldCarriageReturn = false; // a chunk ending in \r may be followed by \n in the next one
  for await (const chunk of chunks) {
    state.hash.update(chunk);
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      state.invalidAtLine = linesBefore + lineOfFirst(new TextDecoder('utf-8').decode(chunk), '\uFFFD');
      return;
    }
    // NUL never appears in a text file: this is a spreadsheet's binary format or an image.
    if (text.includes('\u0000')) {
      state.invalidAtLine = linesBefore + lineOfFirst(text, '\u0000');
      return;
    }
    linesBefore += countNewlines(text);
    if (heldCarriageReturn) text = `\r${text}`;
    heldCarriageReturn = text.endsWith('\r');
    if (heldCarriageReturn) text = text.slice(0, -1);
    text = text.replace(/\r\n/g, '\n');
    if (text.length > 0) yield text;
  }
  try {
    const tail = (heldCarriageReturn ? '\r' : '') + decoder.decode();
    if (tail.length > 0) yield tail.replace(/\r\n/g, '\n');
  } catch {
    state.invalidAtLine = linesBefore + 1; // the file ends in the middle of a character
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

/** 1-based line, within `text`, of the first occurrence of `needle` (line 1 if absent). */
function lineOfFirst(text: string, needle: string): number {
  const index = text.indexOf(needle);
  return index === -1 ? 1 : countNewlines(text.slice(0, index)) + 1;
}

/** Reads until the first line break (or the end), so the separator is known before the parser starts. */
async function peekFirstLine(text: AsyncGenerator<string>): Promise<{ head: string; rest: AsyncGenerator<string> }> {
  let head = '';
  while (!head.includes('\n') && head.length < MAX_HEADER_PEEK) {
    const next = await text.next();
    if (next.done) break;
    head += next.value;
  }
  return { head, rest: text };
}

function firstLineOf(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}

async function* prepend(head: string, rest: AsyncGenerator<string>): AsyncGenerator<string> {
  try {
    if (head.length > 0) yield head;
    yield* rest;
  } finally {
    await rest.return(undefined);
  }
}
