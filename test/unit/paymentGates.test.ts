import {
  type BulkForPaying,
  checkQuote,
  payabilityRefusal,
  type QuoteFigures,
  readStoredQuoteFigures,
  storeQuoteFigures,
  transferExpirationFor,
} from '../../src/payouts/rules/paymentGates';

const PAYABLE: BulkForPaying = {
  state: 'PROCESSING',
  cancelled: false,
  approvalRequired: true,
  approved: true,
  organizationActive: true,
};

describe('payabilityRefusal: may a line of this bulk be sent to the switch', () => {
  it('lets an approved PROCESSING bulk of an active organization pay, and one that needed no approval', () => {
    expect(payabilityRefusal(PAYABLE)).toBeNull();
    expect(payabilityRefusal({ ...PAYABLE, approvalRequired: false, approved: false })).toBeNull();
  });

  it.each([
    ['awaiting approval', { state: 'AWAITING_APPROVAL', approved: false }, 'bulk_not_payable'],
    ['not started', { state: 'PENDING', approved: false }, 'bulk_not_payable'],
    ['processing without the approval it needed', { approved: false }, 'bulk_not_payable'],
    ['rejected or expired (FAILED)', { state: 'FAILED' }, 'bulk_not_payable'],
    ['ended', { state: 'COMPLETED' }, 'bulk_not_payable'],
    ['cancelled', { cancelled: true }, 'bulk_cancelled'],
    ['of a deactivated organization', { organizationActive: false }, 'organization_inactive'],
  ] as const)('refuses a bulk %s', (_case, change, code) => {
    expect(payabilityRefusal({ ...PAYABLE, ...change })).toMatchObject({ code });
  });

  it('says cancelled first: a cancelled bulk ends its unsent lines whatever else holds', () => {
    expect(
      payabilityRefusal({ ...PAYABLE, cancelled: true, organizationActive: false, state: 'AWAITING_APPROVAL' })?.code,
    ).toBe('bulk_cancelled');
  });
});

describe('checkQuote: is the quote the payment the line asks for', () => {
  const line = { amount: 45_000n, currency: 'XOF' };
  const xof = (amount: bigint) => ({ amount, currency: 'XOF' });
  const exact: QuoteFigures = { transferAmount: xof(45_000n), payeeReceiveAmount: xof(45_000n), fee: xof(0n) };
  const LIMIT = 1000n;

  it('accepts the exact payment, a fee within the limit and a payee receiving less than sent', () => {
    expect(checkQuote(line, exact, LIMIT)).toEqual({ ok: true });
    expect(checkQuote(line, { ...exact, fee: xof(1000n), payeeReceiveAmount: xof(44_000n) }, LIMIT)).toEqual({
      ok: true,
    });
    expect(checkQuote(line, { ...exact, fee: null, payeeReceiveAmount: null }, LIMIT)).toEqual({ ok: true });
  });

  it.each([
    ['ten times the amount', { transferAmount: xof(450_000n) }, /450000 XOF; the line asks 45000 XOF/],
    ['one franc more', { transferAmount: xof(45_001n) }, /45001 XOF/],
    ['one franc less', { transferAmount: xof(44_999n) }, /44999 XOF/],
    ['another currency', { transferAmount: { amount: 45_000n, currency: 'USD' } }, /45000 USD/],
    ['no transfer amount', { transferAmount: null }, /no transfer amount/],
    ['the payee receiving in another currency', { payeeReceiveAmount: { amount: 45_000n, currency: 'EUR' } }, /EUR/],
    ['the payee receiving more than sent', { payeeReceiveAmount: xof(45_001n) }, /more than the 45000 XOF sent/],
  ] as const)('refuses a quote with %s as quote_mismatch, figures in the message', (_case, change, message) => {
    const check = checkQuote(line, { ...exact, ...change }, LIMIT);
    expect(check).toMatchObject({ ok: false, code: 'quote_mismatch' });
    expect(check.ok ? '' : check.message).toMatch(message);
  });

  it('refuses a fee above the limit or in another currency as fee_limit_exceeded', () => {
    expect(checkQuote(line, { ...exact, fee: xof(5000n) }, LIMIT)).toMatchObject({
      ok: false,
      code: 'fee_limit_exceeded',
      message: expect.stringMatching(/5000 XOF/),
    });
    expect(checkQuote(line, { ...exact, fee: { amount: 1n, currency: 'USD' } }, LIMIT)).toMatchObject({
      ok: false,
      code: 'fee_limit_exceeded',
    });
  });

  it('stores the figures exactly and reads them back', () => {
    const big = { transferAmount: xof(9_007_199_254_740_993n), payeeReceiveAmount: null, fee: xof(0n) };
    const stored = JSON.parse(JSON.stringify(storeQuoteFigures(big)));
    expect(readStoredQuoteFigures(stored)).toEqual(big);
    expect(readStoredQuoteFigures(null)).toBeNull();
  });
});

describe('transferExpirationFor', () => {
  it("adds the expiry (the adapter's plus the clock-skew margin) to the send time", () => {
    expect(transferExpirationFor(new Date('2026-12-01T10:00:00Z'), 90_000)).toEqual(new Date('2026-12-01T10:01:30Z'));
  });
});
