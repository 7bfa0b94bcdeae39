import fc from 'fast-check';
import {
  applyJournalEntry,
  combinedEffect,
  firstJournalDisagreement,
  isJournalKind,
  JOURNAL_KINDS,
  journalEffect,
  type JournalKind,
  replayJournal,
  runningMoney,
} from '../../src/accounts/rules/journalRules';
import { settlementFor, settlementKind } from '../../src/payouts/rules/transferStates';

describe('the effect of each journal kind on (balance, reserved)', () => {
  it('reserve (+0, +a), release (0, -a), debit (-a, -a), credit (+a, 0), fund (+a, 0)', () => {
    expect(journalEffect('reserve', 700n)).toEqual({ balanceDelta: 0n, reservedDelta: 700n });
    expect(journalEffect('release', 700n)).toEqual({ balanceDelta: 0n, reservedDelta: -700n });
    expect(journalEffect('debit', 700n)).toEqual({ balanceDelta: -700n, reservedDelta: -700n });
    expect(journalEffect('credit', 700n)).toEqual({ balanceDelta: 700n, reservedDelta: 0n });
    expect(journalEffect('fund', 700n)).toEqual({ balanceDelta: 700n, reservedDelta: 0n });
  });

  it('refuses an amount that is zero or negative: the kind carries the sign', () => {
    for (const kind of JOURNAL_KINDS) {
      expect(() => journalEffect(kind, 0n)).toThrow(RangeError);
      expect(() => journalEffect(kind, -1n)).toThrow(RangeError);
    }
  });

  it('knows its kinds and nothing else', () => {
    for (const kind of JOURNAL_KINDS) expect(isJournalKind(kind)).toBe(true);
    expect(isJournalKind('withdraw')).toBe(false);
    expect(isJournalKind('toString')).toBe(false);
  });

  it('is exact beyond 2^53 (bigint, never a float)', () => {
    const huge = 2n ** 70n + 1n;
    expect(applyJournalEntry({ balance: huge, reserved: huge }, { kind: 'debit', amount: 1n })).toEqual({
      balance: huge - 1n,
      reserved: huge - 1n,
    });
  });

  it('settles a paid line as one debit and a failed line as one release, with the same effect as the ledger', () => {
    expect(settlementKind('COMPLETED')).toBe('debit');
    expect(settlementKind('FAILED')).toBe('release');
    expect(settlementFor('COMPLETED', 45000n)).toEqual(journalEffect('debit', 45000n));
    expect(settlementFor('FAILED', 45000n)).toEqual(journalEffect('release', 45000n));
  });
});

describe('replayJournal', () => {
  it('gives the balance and the reservation of a bulk paid in part', () => {
    const rows = [
      { kind: 'fund', amount: 100_000n },
      { kind: 'reserve', amount: 30_000n },
      { kind: 'debit', amount: 10_000n },
      { kind: 'release', amount: 5_000n },
      { kind: 'credit', amount: 1_000n },
    ] as const;
    expect(replayJournal(rows)).toEqual({ balance: 91_000n, reserved: 15_000n });
  });

  it('starts from zero', () => {
    expect(replayJournal([])).toEqual({ balance: 0n, reserved: 0n });
  });

  it('equals the sum of the effects, whatever the order', () => {
    const entry = fc.record({
      kind: fc.constantFrom<JournalKind>(...JOURNAL_KINDS),
      amount: fc.bigInt({ min: 1n, max: 10n ** 15n }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 50 }), (rows) => {
        const effect = combinedEffect(rows);
        expect(replayJournal(rows)).toEqual({ balance: effect.balanceDelta, reserved: effect.reservedDelta });
        expect(replayJournal([...rows].reverse())).toEqual(replayJournal(rows));
      }),
    );
  });

  it('running totals end where the replay ends', () => {
    const rows = [
      { kind: 'fund', amount: 5_000n },
      { kind: 'reserve', amount: 2_000n },
      { kind: 'debit', amount: 2_000n },
    ] as const;
    expect(runningMoney({ balance: 0n, reserved: 0n }, rows)).toEqual([
      { balance: 5_000n, reserved: 0n },
      { balance: 5_000n, reserved: 2_000n },
      { balance: 3_000n, reserved: 0n },
    ]);
  });
});

describe('firstJournalDisagreement', () => {
  const rows = [
    { id: '1', kind: 'fund', amount: 5_000n, balanceAfter: 5_000n, reservedAfter: 0n },
    { id: '2', kind: 'reserve', amount: 2_000n, balanceAfter: 5_000n, reservedAfter: 2_000n },
    { id: '3', kind: 'debit', amount: 2_000n, balanceAfter: 3_000n, reservedAfter: 0n },
  ] as const;

  it('is null when every recorded balance_after / reserved_after is the replay up to that row', () => {
    expect(firstJournalDisagreement(rows)).toBeNull();
  });

  it('names the first row that says otherwise', () => {
    const wrong = [rows[0], { ...rows[1], reservedAfter: 2_001n }, rows[2]];
    expect(firstJournalDisagreement(wrong)).toEqual({
      id: '2',
      replayed: { balance: 5_000n, reserved: 2_000n },
      recorded: { balance: 5_000n, reserved: 2_001n },
    });
  });

  it('names a row that holds more than the balance, even when it is recorded as such', () => {
    const overdrawn = [
      rows[0],
      { id: '2', kind: 'reserve', amount: 6_000n, balanceAfter: 5_000n, reservedAfter: 6_000n },
    ] as const;
    expect(firstJournalDisagreement(overdrawn)?.id).toBe('2');
  });
});
