/**
 * "The journal and the account always agree", checked against the database after a test has moved money:
 *  - replaying the account's journal from zero gives exactly its balance and reserved, and every row's
 *    balance_after / reserved_after is the replay up to that row;
 *  - each line of the account's bulks is settled exactly once per attempt: a COMPLETED line has one `debit`
 *    (for its current attempt) and no release of that attempt; a FAILED line one `release` of its current attempt
 *    and no debit; each earlier attempt (retry-failed) one release; a line still open neither;
 *  - per bulk, what its reserve rows held minus its debits and releases is what its open lines still hold;
 *  - per bulk, the line counts Postgres keeps (bulk_line_counts) are its lines counted by status;
 *  - no closed bulk (COMPLETED or FAILED) has a line still waiting (PENDING, PROCESSING or ON_HOLD), nor money held.
 *
 *   expect(await accountMoney(db(), payer.accountId)).toEqual({ ... });
 *   await expectJournalAgrees(db(), payer.accountId);
 */
import type { Knex } from 'knex';
import {
  type AccountMoney,
  firstJournalDisagreement,
  type JournalKind,
  replayJournal,
} from '../../src/accounts/rules/journalRules';

interface JournalRecord {
  id: string;
  kind: JournalKind;
  amount: bigint;
  bulkId: string | null;
  transferId: string | null;
  attempt: number | null;
  balanceAfter: bigint;
  reservedAfter: bigint;
}

interface LineRecord {
  transferId: string;
  bulkId: string;
  lineNumber: number;
  status: string;
  attempt: number;
  amount: bigint;
}

export async function expectJournalAgrees(knex: Knex, accountId: number): Promise<void> {
  // One snapshot: a worker still settling lines must not change the account between reading it and its journal.
  const { journal, money, lines, kept, bulkStates } = await knex.transaction(
    async (trx) => ({
      journal: await journalOf(trx, accountId),
      money: await moneyOf(trx, accountId),
      lines: await linesPaidFrom(trx, accountId),
      kept: await keptLineCounts(trx, accountId),
      bulkStates: await bulkStatesOf(trx, accountId),
    }),
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  expect(replayJournal(journal)).toEqual(money);
  expect(firstJournalDisagreement(journal)).toBeNull();
  expect(settlementProblems(journal, lines)).toEqual([]);
  expect(holdProblems(journal, lines)).toEqual([]);
  expect(kept).toEqual(countedLines(lines));
  expect(closedBulkProblems(bulkStates, journal, lines)).toEqual([]);
}

const WAITING_STATUSES = ['PENDING', 'PROCESSING', 'ON_HOLD'];

async function bulkStatesOf(knex: Knex, accountId: number): Promise<Map<string, string>> {
  const rows = await knex('bulk_transfers')
    .where('payer_account_id', accountId)
    .select<Array<{ bulk_id: string; state: string }>>('bulk_id', 'state');
  return new Map(rows.map((row) => [row.bulk_id, row.state]));
}

/** A closed bulk waits for nothing: every line final, and nothing of its reservation left held. */
function closedBulkProblems(
  bulkStates: ReadonlyMap<string, string>,
  journal: readonly JournalRecord[],
  lines: readonly LineRecord[],
): string[] {
  const closed = (bulkId: string): boolean => ['COMPLETED', 'FAILED'].includes(bulkStates.get(bulkId) ?? '');
  const problems = lines
    .filter((line) => closed(line.bulkId) && WAITING_STATUSES.includes(line.status))
    .map((line) => `bulk ${line.bulkId} is ${bulkStates.get(line.bulkId)} with line ${line.lineNumber} ${line.status}`);
  for (const [bulkId, amount] of heldByBulk(journal)) {
    if (closed(bulkId) && amount !== 0n)
      problems.push(`bulk ${bulkId} is ${bulkStates.get(bulkId)} and holds ${amount}`);
  }
  return problems;
}

/** Per bulk: what its reserve rows held, less its debits and releases. */
function heldByBulk(journal: readonly JournalRecord[]): Map<string, bigint> {
  const held = new Map<string, bigint>();
  for (const row of journal) {
    if (row.bulkId === null) continue;
    const sign = row.kind === 'reserve' ? 1n : row.kind === 'debit' || row.kind === 'release' ? -1n : 0n;
    held.set(row.bulkId, (held.get(row.bulkId) ?? 0n) + sign * row.amount);
  }
  return held;
}

/** `bulk status` -> lines, as bulk_line_counts keeps them for the account's bulks (statuses with no line left out). */
async function keptLineCounts(knex: Knex, accountId: number): Promise<Record<string, number>> {
  const rows = await knex('bulk_line_counts as c')
    .join('bulk_transfers as b', 'b.bulk_id', 'c.bulk_id')
    .where('b.payer_account_id', accountId)
    .where('c.lines', '<>', 0)
    .select<Array<{ bulk_id: string; status: string; lines: string }>>('c.bulk_id', 'c.status', 'c.lines');
  return Object.fromEntries(rows.map((row) => [`${row.bulk_id} ${row.status}`, Number(row.lines)]));
}

function countedLines(lines: readonly LineRecord[]): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const line of lines) {
    const key = `${line.bulkId} ${line.status}`;
    counted[key] = (counted[key] ?? 0) + 1;
  }
  return counted;
}

async function journalOf(knex: Knex, accountId: number): Promise<JournalRecord[]> {
  const rows = await knex('account_journal').where('account_id', accountId).orderBy('id').select<
    Array<{
      id: string;
      kind: JournalKind;
      amount: string;
      bulk_id: string | null;
      transfer_id: string | null;
      attempt: number | null;
      balance_after: string;
      reserved_after: string;
    }>
  >('id', 'kind', 'amount', 'bulk_id', 'transfer_id', 'attempt', 'balance_after', 'reserved_after');
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    amount: BigInt(row.amount),
    bulkId: row.bulk_id,
    transferId: row.transfer_id,
    attempt: row.attempt,
    balanceAfter: BigInt(row.balance_after),
    reservedAfter: BigInt(row.reserved_after),
  }));
}

async function moneyOf(knex: Knex, accountId: number): Promise<AccountMoney> {
  const row = await knex('accounts')
    .where('id', accountId)
    .first<{ balance: string; reserved: string }>('balance', 'reserved');
  return { balance: BigInt(row.balance), reserved: BigInt(row.reserved) };
}

async function linesPaidFrom(knex: Knex, accountId: number): Promise<LineRecord[]> {
  const rows = await knex('individual_transfers as t')
    .join('bulk_transfers as b', 'b.bulk_id', 't.bulk_id')
    .where('b.payer_account_id', accountId)
    .select<
      Array<{
        transfer_id: string;
        bulk_id: string;
        line_number: number;
        status: string;
        attempt: number;
        amount: string;
      }>
    >('t.transfer_id', 't.bulk_id', 't.line_number', 't.status', 't.attempt', 't.amount');
  return rows.map((row) => ({
    transferId: row.transfer_id,
    bulkId: row.bulk_id,
    lineNumber: row.line_number,
    status: row.status,
    attempt: row.attempt,
    amount: BigInt(row.amount),
  }));
}

/** One message per line whose settlement rows are not exactly what its status and attempt call for. */
function settlementProblems(journal: readonly JournalRecord[], lines: readonly LineRecord[]): string[] {
  const byTransfer = new Map<string, JournalRecord[]>();
  for (const row of journal) {
    if (row.transferId === null) continue;
    byTransfer.set(row.transferId, [...(byTransfer.get(row.transferId) ?? []), row]);
  }
  const problems: string[] = [];
  for (const line of lines) {
    const rows = byTransfer.get(line.transferId) ?? [];
    const expected = expectedSettlements(line);
    const actual = rows.map((row) => `${row.kind}@${row.attempt ?? '?'}:${row.amount}`).sort();
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(
        `bulk ${line.bulkId} line ${line.lineNumber} (${line.status}, attempt ${line.attempt}): ${actual.join(' ') || 'none'}, expected ${expected.join(' ') || 'none'}`,
      );
    }
  }
  return problems;
}

/** Every earlier attempt failed (that is why it was retried) and was released; the current one as its status says. */
function expectedSettlements(line: LineRecord): string[] {
  const expected: string[] = [];
  for (let attempt = 1; attempt < line.attempt; attempt += 1) expected.push(`release@${attempt}:${line.amount}`);
  if (line.status === 'COMPLETED') expected.push(`debit@${line.attempt}:${line.amount}`);
  if (line.status === 'FAILED') expected.push(`release@${line.attempt}:${line.amount}`);
  return expected.sort();
}

/** Per bulk: reserved by its reserve rows, less its debits and releases, equals the amounts of its open lines. */
function holdProblems(journal: readonly JournalRecord[], lines: readonly LineRecord[]): string[] {
  const held = heldByBulk(journal);
  const open = new Map<string, bigint>();
  for (const line of lines) {
    if (!held.has(line.bulkId)) held.set(line.bulkId, 0n);
    if (WAITING_STATUSES.includes(line.status)) open.set(line.bulkId, (open.get(line.bulkId) ?? 0n) + line.amount);
  }
  const problems: string[] = [];
  for (const [bulkId, amount] of held) {
    const expected = open.get(bulkId) ?? 0n;
    if (amount !== expected) problems.push(`bulk ${bulkId}: the journal holds ${amount}, its open lines ${expected}`);
  }
  return problems;
}
