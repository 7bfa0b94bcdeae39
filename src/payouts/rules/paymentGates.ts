/**
 * What must hold for money to move for one line, as pure functions: the line's bulk is open for paying, and the
 * quote the switch gave is the payment the fund asked for. The payout steps check them themselves (defence in
 * depth: whoever started the line's workflow, by the bulk or by hand from the Temporal CLI), and the transfer
 * step checks the recorded quote again, so no retry, crash or lost write can skip a check. No I/O here.
 */
import { checkFee } from './transferStates';

/** The bulk as the gate needs it. */
export interface BulkForPaying {
  state: string;
  cancelled: boolean;
  approvalRequired: boolean;
  approved: boolean;
  organizationActive: boolean;
}

export type PayabilityRefusal = {
  code: 'bulk_cancelled' | 'bulk_not_payable' | 'organization_inactive';
  message: string;
};

/**
 * Null when the bulk's lines may be sent to the switch: PROCESSING, approved when its organization required it
 * when the bulk started, not cancelled, its organization active. Otherwise why not: a cancelled bulk's unsent
 * lines end `cancelled`; for anything else the line is left as it is.
 */
export function payabilityRefusal(bulk: BulkForPaying): PayabilityRefusal | null {
  if (bulk.cancelled) return { code: 'bulk_cancelled', message: 'The bulk was cancelled: nothing more of it is sent.' };
  if (!bulk.organizationActive) {
    return {
      code: 'organization_inactive',
      message: "The bulk's organization is deactivated: none of its lines is paid.",
    };
  }
  if (bulk.state !== 'PROCESSING') {
    return { code: 'bulk_not_payable', message: `The bulk is ${bulk.state}, not PROCESSING: its lines are not paid.` };
  }
  if (bulk.approvalRequired && !bulk.approved) {
    return { code: 'bulk_not_payable', message: 'The bulk requires a second approval and has not been approved.' };
  }
  return null;
}

/** The quote's figures, read from the switch's answer (minor units) and recorded with the line. */
export interface QuoteFigures {
  transferAmount: { amount: bigint; currency: string } | null;
  payeeReceiveAmount: { amount: bigint; currency: string } | null;
  fee: { amount: bigint; currency: string } | null;
}

export type QuoteCheck = { ok: true } | { ok: false; code: 'quote_mismatch' | 'fee_limit_exceeded'; message: string };

/**
 * The quote must be the line's payment (amountType SEND): the transfer amount equal to the line's amount, every
 * figure in the line's currency, the payee receiving no more than the amount, and the payee FSP's fee in that
 * currency and within our limit. The figures are quoted in the message, for the officer reading the failure.
 */
export function checkQuote(
  line: { amount: bigint; currency: string },
  quote: QuoteFigures,
  maxFeeMinorUnits: bigint,
): QuoteCheck {
  const asked = `${line.amount} ${line.currency}`;
  const { transferAmount, payeeReceiveAmount } = quote;
  if (transferAmount === null) return mismatch(`The quote has no transfer amount; the line asks ${asked}.`);
  if (transferAmount.currency !== line.currency || transferAmount.amount !== line.amount) {
    return mismatch(
      `The quote's transfer amount is ${transferAmount.amount} ${transferAmount.currency}; the line asks ${asked}.`,
    );
  }
  if (payeeReceiveAmount !== null) {
    if (payeeReceiveAmount.currency !== line.currency) {
      return mismatch(
        `The payee would receive ${payeeReceiveAmount.amount} ${payeeReceiveAmount.currency}; the line is in ${line.currency}.`,
      );
    }
    if (payeeReceiveAmount.amount > line.amount) {
      return mismatch(
        `The payee would receive ${payeeReceiveAmount.amount} ${payeeReceiveAmount.currency}, more than the ${asked} sent.`,
      );
    }
  }
  const fee = checkFee(quote.fee, line.currency, maxFeeMinorUnits);
  if (!fee.ok) return { ok: false, code: 'fee_limit_exceeded', message: fee.message };
  return { ok: true };
}

function mismatch(message: string): QuoteCheck {
  return { ok: false, code: 'quote_mismatch', message };
}

/** Until when a transfer sent at `sentAt` may still commit: the adapter's expiry plus our clock-skew margin. */
export function transferExpirationFor(sentAt: Date, transferExpiryMs: number): Date {
  return new Date(sentAt.getTime() + transferExpiryMs);
}

type Money = { amount: bigint; currency: string };
type StoredMoney = { amount: string; currency: string } | null;

/** The quote's figures as stored in Postgres (jsonb): minor units as decimal strings, never JSON numbers. */
export interface StoredQuoteFigures {
  transferAmount: StoredMoney;
  payeeReceiveAmount: StoredMoney;
  fee: StoredMoney;
}

export function storeQuoteFigures(figures: QuoteFigures): StoredQuoteFigures {
  const store = (money: Money | null): StoredMoney =>
    money === null ? null : { amount: money.amount.toString(), currency: money.currency };
  return {
    transferAmount: store(figures.transferAmount),
    payeeReceiveAmount: store(figures.payeeReceiveAmount),
    fee: store(figures.fee),
  };
}

/** Null for a line quoted before the figures were recorded: the caller treats it as a quote it cannot check. */
export function readStoredQuoteFigures(stored: StoredQuoteFigures | null): QuoteFigures | null {
  if (stored === null) return null;
  const read = (money: StoredMoney): Money | null =>
    money === null ? null : { amount: BigInt(money.amount), currency: money.currency };
  return {
    transferAmount: read(stored.transferAmount),
    payeeReceiveAmount: read(stored.payeeReceiveAmount),
    fee: read(stored.fee),
  };
}
