import fc from 'fast-check';
import {
  bulkOutcome,
  canTransition,
  checkFee,
  isDefinitiveRejection,
  isFinalStatus,
  isDefinitelyNotCommitted,
  resolveSentTransfer,
  settlementFor,
  statusesAllowedBefore,
  TRANSFER_STATUSES,
} from '../../src/payouts/rules/transferStates';

describe('transfer status transitions', () => {
  it('moves forward only: PENDING -> PROCESSING -> COMPLETED | FAILED', () => {
    expect(canTransition('PENDING', 'PROCESSING')).toBe(true);
    expect(canTransition('PROCESSING', 'COMPLETED')).toBe(true);
    expect(canTransition('PROCESSING', 'FAILED')).toBe(true);
    expect(canTransition('PENDING', 'FAILED')).toBe(true);
    expect(canTransition('PROCESSING', 'PENDING')).toBe(false);
  });

  it('never completes a line that was not sent through the steps (PENDING -> COMPLETED is refused)', () => {
    expect(canTransition('PENDING', 'COMPLETED')).toBe(false);
    expect(statusesAllowedBefore('COMPLETED')).toEqual(['PROCESSING']);
  });

  it('never leaves a final status, so settling twice is impossible', () => {
    for (const final of ['COMPLETED', 'FAILED'] as const) {
      expect(isFinalStatus(final)).toBe(true);
      for (const next of TRANSFER_STATUSES) expect(canTransition(final, next)).toBe(false);
    }
    expect(statusesAllowedBefore('FAILED')).toEqual(['PENDING', 'PROCESSING', 'ON_HOLD']);
    expect(isFinalStatus('PROCESSING')).toBe(false);
  });

  it('holds a line only before it is sent, and a held line is released or failed, never completed', () => {
    expect(canTransition('PROCESSING', 'ON_HOLD')).toBe(true);
    expect(canTransition('ON_HOLD', 'PROCESSING')).toBe(true);
    expect(canTransition('ON_HOLD', 'FAILED')).toBe(true);
    expect(canTransition('ON_HOLD', 'COMPLETED')).toBe(false);
    expect(isFinalStatus('ON_HOLD')).toBe(false);
  });
});

describe('settlementFor', () => {
  it('takes a paid amount out of both the balance and the reservation', () => {
    expect(settlementFor('COMPLETED', 45000n)).toEqual({ balanceDelta: -45000n, reservedDelta: -45000n });
  });

  it('only gives the reservation back for a failed line', () => {
    expect(settlementFor('FAILED', 45000n)).toEqual({ balanceDelta: 0n, reservedDelta: -45000n });
  });

  it('always releases exactly the reserved amount, whatever the outcome', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.constantFrom('COMPLETED' as const, 'FAILED' as const),
        (amount, status) => {
          expect(settlementFor(status, amount).reservedDelta).toBe(-amount);
        },
      ),
    );
  });

  it('refuses a non-positive amount', () => {
    expect(() => settlementFor('COMPLETED', 0n)).toThrow(RangeError);
  });
});

describe('isDefinitiveRejection', () => {
  it('treats party, quote and transfer refusals as final', () => {
    for (const code of ['3204', '5101', '5104', '5106', '4001', '3100']) expect(isDefinitiveRejection(code)).toBe(true);
  });

  it('treats communication and server errors as saying nothing about the payment', () => {
    for (const code of ['1001', '2001', '2003', '2004', '', 'abc', '51040'])
      expect(isDefinitiveRejection(code)).toBe(false);
  });
});

describe('checkFee', () => {
  it('accepts no fee, a zero fee and a fee at the limit', () => {
    expect(checkFee(null, 'XOF', 1000n)).toEqual({ ok: true });
    expect(checkFee({ amount: 0n, currency: 'USD' }, 'XOF', 1000n)).toEqual({ ok: true });
    expect(checkFee({ amount: 1000n, currency: 'XOF' }, 'XOF', 1000n)).toEqual({ ok: true });
  });

  it('refuses a fee above the limit, saying both amounts', () => {
    const check = checkFee({ amount: 1001n, currency: 'XOF' }, 'XOF', 1000n);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.message).toContain('1001 XOF');
    expect(!check.ok && check.message).toContain('1000 XOF');
  });

  it('refuses a fee in another currency', () => {
    expect(checkFee({ amount: 1n, currency: 'EUR' }, 'XOF', 1000n).ok).toBe(false);
  });
});

describe('resolveSentTransfer', () => {
  const expiration = new Date('2026-11-28T12:00:00Z');
  const before = new Date('2026-11-28T11:59:00Z');
  const after = new Date('2026-11-28T12:00:01Z');

  it('reads COMMITTED as paid and ABORTED as failed', () => {
    expect(resolveSentTransfer({ found: true, transferState: 'COMMITTED' }, expiration, before)).toEqual({
      status: 'COMPLETED',
    });
    expect(resolveSentTransfer({ found: true, transferState: 'ABORTED' }, expiration, before)).toMatchObject({
      status: 'FAILED',
      failureCode: 'transfer_aborted',
    });
  });

  it('reads "not found" as failed only once the transfer itself has expired', () => {
    expect(resolveSentTransfer({ found: false }, expiration, before).status).toBe('UNKNOWN');
    expect(resolveSentTransfer({ found: false }, expiration, after)).toMatchObject({
      status: 'FAILED',
      failureCode: 'transfer_not_found',
    });
    expect(resolveSentTransfer({ found: false }, null, after).status).toBe('UNKNOWN');
  });

  it('keeps a transfer still in flight unknown', () => {
    for (const state of ['RECEIVED', 'RESERVED', null]) {
      expect(resolveSentTransfer({ found: true, transferState: state }, expiration, after).status).toBe('UNKNOWN');
    }
  });
});

describe('isDefinitelyNotCommitted', () => {
  it.each([['transfer_aborted'], ['5104'], ['4001'], ['3100']])(
    'accepts %s as proof that a sent transfer moved nothing',
    (code) => {
      expect(isDefinitelyNotCommitted(code)).toBe(true);
    },
  );

  it.each([['transfer_not_found'], ['2001'], ['1001'], ['switch_unavailable'], [null]])(
    'does not accept %s',
    (code) => {
      expect(isDefinitelyNotCommitted(code)).toBe(false);
    },
  );
});

describe('bulkOutcome', () => {
  it('is unfinished while any line has not ended', () => {
    expect(bulkOutcome({ total: 3, completed: 1, failed: 1 })).toEqual({ state: 'UNFINISHED', unfinished: 1 });
  });

  it('completes when every line ended and at least one was paid', () => {
    expect(bulkOutcome({ total: 3, completed: 1, failed: 2 })).toEqual({ state: 'COMPLETED', failureReason: null });
  });

  it('fails with a reason when no line was paid', () => {
    expect(bulkOutcome({ total: 2, completed: 0, failed: 2 })).toEqual({
      state: 'FAILED',
      failureReason: 'None of the 2 transfers was paid.',
    });
  });
});
