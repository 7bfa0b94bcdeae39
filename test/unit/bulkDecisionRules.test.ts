import {
  approvalRefusal,
  cancelledBulkReason,
  homeTransactionIdFor,
  isRetryableFailure,
  msUntil,
  isWorthPayingAgain,
  makerIdsOf,
  retryOverridesDecision,
} from '../../src/payouts/rules/bulkDecisionRules';

describe('which failed lines retry-failed pays again', () => {
  it.each([
    ['switch_unavailable'],
    ['transfer_aborted'],
    ['fee_limit_exceeded'],
    ['3302'],
    ['3303'],
    ['4001'],
    ['5001'],
    ['5104'],
    ['5105'],
    ['5200'],
    ['1001'],
    ['2001'],
    ['line_unresolved'],
  ])('retries %s (says nothing permanent about the payee)', (code) => {
    expect(isRetryableFailure(code)).toBe(true);
  });

  it.each([
    ['3204', 'party not found'],
    ['3200', 'generic id not found'],
    ['3203', 'payee FSP not found'],
    ['3100', 'validation error: the same request would be refused again'],
    ['5100', 'payee rejection'],
    ['5101', 'payee rejected the quote'],
    ['5103', 'payee FSP rejected the quote'],
    ['5106', 'payee unsupported currency'],
    ['5300', 'payee permission error'],
    ['5400', 'payee blocked'],
    ['cancelled', 'someone cancelled it'],
    ['approval_rejected', 'the checker said no'],
    ['approval_expired', 'nobody approved it'],
    ['transfer_not_found', 'sent, and the switch could not say it was not committed: reconciled by hand'],
    ['quote_mismatch', 'the switch quoted another payment'],
    ['unknown', 'a code we do not know'],
    ['', 'empty'],
  ])('never retries %s (%s)', (code) => {
    expect(isRetryableFailure(code)).toBe(false);
  });

  it('never retries a line without a failure code', () => {
    expect(isRetryableFailure(null)).toBe(false);
  });
});

describe('which failed lines whose transfer was sent retry-failed pays again', () => {
  it('pays again a sent line only after a definite "not committed" from the switch', () => {
    expect(isWorthPayingAgain({ failureCode: 'transfer_aborted', sent: true })).toBe(true);
    expect(isWorthPayingAgain({ failureCode: '5104', sent: true })).toBe(true);
    expect(isWorthPayingAgain({ failureCode: '2001', sent: true })).toBe(false);
    expect(isWorthPayingAgain({ failureCode: 'transfer_not_found', sent: true })).toBe(false);
  });

  it('pays again an unsent line whose failure is worth retrying', () => {
    expect(isWorthPayingAgain({ failureCode: 'switch_unavailable', sent: false })).toBe(true);
    expect(isWorthPayingAgain({ failureCode: '2001', sent: false })).toBe(true);
    expect(isWorthPayingAgain({ failureCode: '3204', sent: false })).toBe(false);
  });
});

describe('the identity of an attempt at Mojaloop', () => {
  const transferId = '0f8e5a4c-2b1d-4c3e-9f7a-6b5d4c3e2f1a';

  it('sends the transfer id itself on the first attempt, as before retries existed', () => {
    expect(homeTransactionIdFor(transferId, 1)).toBe(transferId);
  });

  it('gives each retry its own id, derived from the line and the attempt', () => {
    expect(homeTransactionIdFor(transferId, 2)).toBe(`${transferId}-2`);
    expect(homeTransactionIdFor(transferId, 3)).not.toBe(homeTransactionIdFor(transferId, 2));
  });

  it.each([[0], [-1], [1.5]])('refuses attempt %s', (attempt) => {
    expect(() => homeTransactionIdFor(transferId, attempt)).toThrow(RangeError);
  });
});

describe('who may approve a bulk (maker-checker)', () => {
  const bulk = { organizationId: 7, createdById: 10 };
  const gestionnaire = { userId: 11, organizationId: 7, role: 'GESTIONNAIRE', isStaff: false, isActive: true };

  it('lets a second GESTIONNAIRE of the organization approve', () => {
    expect(approvalRefusal(gestionnaire, bulk)).toBeNull();
  });

  it('lets a staff user of the organization approve, whatever the role', () => {
    expect(approvalRefusal({ ...gestionnaire, role: 'SUPERVISEUR', isStaff: true }, bulk)).toBeNull();
  });

  it('refuses the creator, even a staff one', () => {
    expect(approvalRefusal({ ...gestionnaire, userId: 10 }, bulk)).toBe('approval_by_creator');
    expect(approvalRefusal({ ...gestionnaire, userId: 10, isStaff: true }, bulk)).toBe('approval_by_creator');
  });

  it('refuses a SUPERVISEUR, another organization and a deactivated user', () => {
    expect(approvalRefusal({ ...gestionnaire, role: 'SUPERVISEUR' }, bulk)).toBe('approver_not_allowed');
    expect(approvalRefusal({ ...gestionnaire, organizationId: 8 }, bulk)).toBe('approver_not_allowed');
    expect(approvalRefusal({ ...gestionnaire, organizationId: null }, bulk)).toBe('approver_not_allowed');
    expect(approvalRefusal({ ...gestionnaire, isActive: false }, bulk)).toBe('approver_not_allowed');
  });

  it('lets any GESTIONNAIRE approve a bulk built by the monthly schedule (no creator)', () => {
    expect(approvalRefusal(gestionnaire, { organizationId: 7, createdById: null })).toBeNull();
  });

  it("refuses a retry's requester as its creator; an operator's retry adds no one", () => {
    const retried = { ...bulk, retryRequestedById: 11 };
    expect(approvalRefusal(gestionnaire, retried)).toBe('approval_by_creator');
    expect(approvalRefusal({ ...gestionnaire, userId: 10 }, retried)).toBe('approval_by_creator');
    expect(approvalRefusal({ ...gestionnaire, userId: 12 }, retried)).toBeNull();
    expect(makerIdsOf({ createdById: 10, retryRequestedById: 10 })).toEqual([10]);
    expect(makerIdsOf({ createdById: null, retryRequestedById: null })).toEqual([]);
  });
});

describe("which retries would undo a second user's decision (maker-checker)", () => {
  const ended = { rejectedById: null, cancelledAt: null, cancelledById: null, cancelledByOperator: null };
  const cancelledAt = new Date('2026-12-07T10:00:00Z');

  it('lets a retry of a bulk nobody decided on, or cancelled by the requester themself', () => {
    expect(retryOverridesDecision(ended, 10)).toBe(false);
    expect(retryOverridesDecision(ended, null)).toBe(false);
    expect(retryOverridesDecision({ ...ended, cancelledAt, cancelledById: 10 }, 10)).toBe(false);
  });

  it('refuses after a rejection, a cancel by another user or by an operator', () => {
    expect(retryOverridesDecision({ ...ended, rejectedById: 11 }, 10)).toBe(true);
    expect(retryOverridesDecision({ ...ended, cancelledAt, cancelledById: 11 }, 10)).toBe(true);
    expect(retryOverridesDecision({ ...ended, cancelledAt, cancelledById: 11 }, null)).toBe(true);
    expect(retryOverridesDecision({ ...ended, cancelledAt, cancelledByOperator: 'ops' }, 10)).toBe(true);
    expect(retryOverridesDecision({ ...ended, cancelledAt, cancelledByOperator: 'ops' }, null)).toBe(true);
  });
});

describe('deadlines and reasons', () => {
  it('counts down to the deadline and never below zero', () => {
    const now = new Date('2026-11-29T10:00:00Z');
    expect(msUntil(new Date('2026-11-29T10:00:05Z'), now)).toBe(5000);
    expect(msUntil(new Date('2026-11-29T09:00:00Z'), now)).toBe(0);
  });

  it('says how much of a cancelled bulk was not sent', () => {
    expect(cancelledBulkReason(3, 5)).toBe(
      'Cancelled before any pension was paid: 3 of the 5 transfers were not sent.',
    );
  });
});
