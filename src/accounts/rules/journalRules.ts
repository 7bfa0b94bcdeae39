/**
 * The account journal's rules, as pure functions: what each kind of entry does to an account's (balance,
 * reserved), and replaying a journal. An account's two money columns are, by definition, the replay of its
 * journal from zero: src/accounts/store/journalStore.ts writes both in one transaction, and tests check they agree.
 * Minor units, bigint: never a float.
 */

export const JOURNAL_KINDS = ['reserve', 'release', 'debit', 'credit', 'fund'] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

export interface AccountMoney {
  /** Minor units on the account. */
  balance: bigint;
  /** Minor units of the balance held for payouts in flight. */
  reserved: bigint;
}

export interface JournalEffect {
  balanceDelta: bigint;
  reservedDelta: bigint;
}

/**
 * Per kind, the sign of the change to (balance, reserved) for an amount a > 0:
 * - reserve (+0, +a): money held for a bulk, still on the account;
 * - release (0, -a): a hold given back (a line failed or was cancelled);
 * - debit (-a, -a): a paid line leaves the account, consuming its hold: one entry, not a release plus a debit;
 * - credit (+a, 0) and fund (+a, 0): money arriving (a deposit recorded by staff is a `fund`).
 */
const EFFECT_SIGNS: Readonly<Record<JournalKind, { balance: -1n | 0n | 1n; reserved: -1n | 0n | 1n }>> = {
  reserve: { balance: 0n, reserved: 1n },
  release: { balance: 0n, reserved: -1n },
  debit: { balance: -1n, reserved: -1n },
  credit: { balance: 1n, reserved: 0n },
  fund: { balance: 1n, reserved: 0n },
};

export function isJournalKind(value: string): value is JournalKind {
  return (JOURNAL_KINDS as readonly string[]).includes(value);
}

/** What one entry of `amount` minor units does to the account. Amounts are positive: the kind carries the sign. */
export function journalEffect(kind: JournalKind, amount: bigint): JournalEffect {
  if (amount <= 0n) throw new RangeError(`A journal amount must be positive, got ${amount}`);
  const signs = EFFECT_SIGNS[kind];
  return { balanceDelta: signs.balance * amount, reservedDelta: signs.reserved * amount };
}

/** The same rules the database enforces (accounts' check constraints): nothing is held that is not there. */
export function isConsistentMoney(money: AccountMoney): boolean {
  return money.reserved >= 0n && money.reserved <= money.balance;
}

export function applyJournalEntry(money: AccountMoney, entry: { kind: JournalKind; amount: bigint }): AccountMoney {
  const effect = journalEffect(entry.kind, entry.amount);
  return { balance: money.balance + effect.balanceDelta, reserved: money.reserved + effect.reservedDelta };
}

/** The sum of several entries' effects, for one UPDATE of the account that they all describe. */
export function combinedEffect(entries: ReadonlyArray<{ kind: JournalKind; amount: bigint }>): JournalEffect {
  const total = entries.reduce<AccountMoney>((money, entry) => applyJournalEntry(money, entry), {
    balance: 0n,
    reserved: 0n,
  });
  return { balanceDelta: total.balance, reservedDelta: total.reserved };
}

/**
 * The money after each entry, starting from `before`: what a batch of entries records as balance_after and
 * reserved_after, so a statement reads as running totals.
 */
export function runningMoney(
  before: AccountMoney,
  entries: ReadonlyArray<{ kind: JournalKind; amount: bigint }>,
): AccountMoney[] {
  const after: AccountMoney[] = [];
  let money = before;
  for (const entry of entries) {
    money = applyJournalEntry(money, entry);
    after.push(money);
  }
  return after;
}

/** An account's money from its journal, from zero, in journal order. */
export function replayJournal(rows: ReadonlyArray<{ kind: JournalKind; amount: bigint }>): AccountMoney {
  return rows.reduce<AccountMoney>((money, row) => applyJournalEntry(money, row), { balance: 0n, reserved: 0n });
}

export interface RecordedJournalRow {
  id: string;
  kind: JournalKind;
  amount: bigint;
  balanceAfter: bigint;
  reservedAfter: bigint;
}

export interface JournalDisagreement {
  id: string;
  replayed: AccountMoney;
  recorded: AccountMoney;
}

/**
 * The first row whose recorded balance_after / reserved_after differ from the replay up to it, or an
 * inconsistent state (more held than there is); null when every row agrees.
 */
export function firstJournalDisagreement(rows: readonly RecordedJournalRow[]): JournalDisagreement | null {
  let money: AccountMoney = { balance: 0n, reserved: 0n };
  for (const row of rows) {
    money = applyJournalEntry(money, row);
    const recorded = { balance: row.balanceAfter, reserved: row.reservedAfter };
    if (money.balance !== recorded.balance || money.reserved !== recorded.reserved || !isConsistentMoney(money)) {
      return { id: row.id, replayed: money, recorded };
    }
  }
  return null;
}
