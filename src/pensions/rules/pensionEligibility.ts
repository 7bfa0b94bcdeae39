/**
 * Who of the pension roll is paid for a period, and why the others are held out. Pure: the monthly run
 * (src/pensions/store/periodBulkStore.ts) applies it to every beneficiary and records the reasons.
 *
 * A beneficiary is paid when ACTIVE, started by the end of the period, not ended before it begins, and with a
 * proof of life no older than the configured number of months at the period's first day.
 */
import { monthsBefore, periodBounds } from './pensionPeriod';

export const BENEFICIARY_STATUSES = ['ACTIVE', 'SUSPENDED', 'DECEASED', 'ENDED'] as const;
export type BeneficiaryStatus = (typeof BENEFICIARY_STATUSES)[number];

export function isBeneficiaryStatus(value: string): value is BeneficiaryStatus {
  return (BENEFICIARY_STATUSES as readonly string[]).includes(value);
}

export const HELD_OUT_REASONS = [
  'deceased',
  'ended',
  'suspended',
  'not_started',
  'proof_of_life_missing',
  'proof_of_life_expired',
  'currency_mismatch',
] as const;
export type HeldOutReason = (typeof HELD_OUT_REASONS)[number];

export interface BeneficiaryTerms {
  status: BeneficiaryStatus;
  currency: string;
  /** Dates are YYYY-MM-DD; null when not known (no start date: already started; no end date: open-ended). */
  startDate: string | null;
  endDate: string | null;
  lastProofOfLife: string | null;
}

export interface EligibilityRules {
  /** Period paid, YYYY-MM. */
  period: string;
  proofOfLifeMaxAgeMonths: number;
  /** The payer account's currency: a pension in another currency cannot be paid from it. */
  payerCurrency: string;
}

export type Eligibility = { eligible: true } | { eligible: false; reason: HeldOutReason };

/** The first reason that applies, in the order above: a deceased beneficiary is "deceased", not "suspended". */
export function eligibilityFor(beneficiary: BeneficiaryTerms, rules: EligibilityRules): Eligibility {
  const { first, last } = periodBounds(rules.period);
  const heldOut = (reason: HeldOutReason): Eligibility => ({ eligible: false, reason });

  if (beneficiary.status === 'DECEASED') return heldOut('deceased');
  if (beneficiary.status === 'ENDED') return heldOut('ended');
  if (beneficiary.endDate !== null && beneficiary.endDate < first) return heldOut('ended');
  if (beneficiary.status === 'SUSPENDED') return heldOut('suspended');
  if (beneficiary.startDate !== null && beneficiary.startDate > last) return heldOut('not_started');
  if (beneficiary.lastProofOfLife === null) return heldOut('proof_of_life_missing');
  if (beneficiary.lastProofOfLife < monthsBefore(first, rules.proofOfLifeMaxAgeMonths))
    return heldOut('proof_of_life_expired');
  if (beneficiary.currency !== rules.payerCurrency) return heldOut('currency_mismatch');
  return { eligible: true };
}
