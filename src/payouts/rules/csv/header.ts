/**
 * Reading the header line: which separator the file uses and where each expected column sits. Spreadsheets
 * set to French export with `;`, others with `,`; the header line tells which, before any data is read.
 */
import type { Message } from '../../../i18n/message';
import { BULK_COLUMNS, type BulkColumn, OPTIONAL_BULK_COLUMNS, type RequiredBulkColumn } from './bulkCsvFormat';

export type Delimiter = ',' | ';';

/** The separator the header line uses most; `,` when it uses neither (a one-column header is refused later). */
export function detectDelimiter(headerLine: string): Delimiter {
  const semicolons = countOf(headerLine, ';');
  const commas = countOf(headerLine, ',');
  return semicolons > commas ? ';' : ',';
}

function countOf(text: string, character: string): number {
  let count = 0;
  for (const current of text) if (current === character) count += 1;
  return count;
}

/** The index of each expected column in a line's fields; an optional column absent from the file is null. */
export type ColumnIndexes = Readonly<Record<RequiredBulkColumn, number> & { nom: number | null }>;

export type HeaderResult =
  | { ok: true; columns: ColumnIndexes }
  | { ok: false; missing: RequiredBulkColumn[]; unknown: string[]; duplicated: string[] };

/** Matches the header's names (trimmed, case-insensitive) to the columns: every required one exactly once, `nom` at most once. */
export function parseHeader(fields: readonly string[]): HeaderResult {
  const found = new Map<string, number>();
  const unknown: string[] = [];
  const duplicated: string[] = [];
  fields.forEach((field, index) => {
    const name = field.trim().toLowerCase();
    if (!isBulkColumn(name)) {
      unknown.push(field.trim());
    } else if (found.has(name)) {
      duplicated.push(name);
    } else {
      found.set(name, index);
    }
  });
  const missing = BULK_COLUMNS.filter((column) => !found.has(column));
  if (missing.length > 0 || unknown.length > 0 || duplicated.length > 0)
    return { ok: false, missing, unknown, duplicated };
  return {
    ok: true,
    columns: {
      type_id: found.get('type_id')!,
      valeur_id: found.get('valeur_id')!,
      devise: found.get('devise')!,
      montant: found.get('montant')!,
      nom: found.get('nom') ?? null,
    },
  };
}

function isBulkColumn(name: string): name is BulkColumn {
  return (
    (BULK_COLUMNS as readonly string[]).includes(name) || (OPTIONAL_BULK_COLUMNS as readonly string[]).includes(name)
  );
}

/** A message naming what is wrong with the header, and what it should be. */
export function describeHeaderProblem(problem: {
  missing: string[];
  unknown: string[];
  duplicated: string[];
}): Message {
  const parts = headerProblemParts(problem);
  return {
    fr: `La première ligne doit être l'en-tête ${BULK_COLUMNS.join(',')} ; ${parts.fr}.`,
    en: `The first line must be the header ${BULK_COLUMNS.join(',')}; ${parts.en}.`,
  };
}

/** "missing column(s): montant; unknown column(s): "amount"", in both languages (the pension roll's header too). */
export function headerProblemParts(problem: {
  missing: readonly string[];
  unknown: readonly string[];
  duplicated: readonly string[];
}): Message {
  const fr: string[] = [];
  const en: string[] = [];
  if (problem.missing.length > 0) {
    fr.push(`colonne(s) manquante(s) : ${problem.missing.join(', ')}`);
    en.push(`missing column(s): ${problem.missing.join(', ')}`);
  }
  if (problem.unknown.length > 0) {
    const names = problem.unknown.map((name) => `"${name}"`).join(', ');
    fr.push(`colonne(s) inconnue(s) : ${names}`);
    en.push(`unknown column(s): ${names}`);
  }
  if (problem.duplicated.length > 0) {
    fr.push(`colonne(s) répétée(s) : ${problem.duplicated.join(', ')}`);
    en.push(`repeated column(s): ${problem.duplicated.join(', ')}`);
  }
  return { fr: fr.join(' ; '), en: en.join('; ') };
}
