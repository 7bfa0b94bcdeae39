/** The shapes of /api/pension-roll: the organization's beneficiaries, their import, status and proofs of life. */
import { z } from 'zod';
import { ruleMessage } from '../http/bodyValidation';
import { BENEFICIARY_STATUSES } from '../../pensions/rules/pensionEligibility';
import { isCalendarDate } from '../../pensions/rules/pensionPeriod';
import { Count, Currency, Day, MinorUnits, PartyIdType, Timestamp, page } from './common';

const BeneficiaryStatus = z.enum(BENEFICIARY_STATUSES);

/** A beneficiary's id; anything that is not one names nobody (404), as another organization's beneficiary does. */
export const BeneficiaryIdParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number)
    .meta({
      description: "The beneficiary's id; another organization's beneficiary is 404.",
      override: { type: 'integer', minimum: 0, maximum: 999_999_999 },
    }),
});

export const Beneficiary = z
  .object({
    id: z.int(),
    party_id_type: PartyIdType,
    party_identifier: z.string(),
    full_name: z.string(),
    monthly_amount: MinorUnits,
    currency: Currency,
    status: BeneficiaryStatus,
    status_reason: z.string().nullable(),
    last_proof_of_life: Day.nullable(),
    start_date: Day.nullable(),
    end_date: Day.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Beneficiary' });

export const BeneficiaryList = page(Beneficiary).meta({ id: 'BeneficiaryList' });

export const RollImportCounts = z
  .object({ added: Count, updated: Count, unchanged: Count })
  .meta({ id: 'RollImportCounts', description: 'Beneficiaries added, changed, and left as they were.' });

export const BeneficiaryStatusRequest = z
  .object({ status: BeneficiaryStatus, reason: z.string().trim().max(500).optional() })
  .meta({ id: 'BeneficiaryStatusRequest' });

export const ProofOfLifeRequest = z
  .object({
    date: z
      .string()
      .refine(
        isCalendarDate,
        ruleMessage({ fr: 'doit être une date au format AAAA-MM-JJ', en: 'must be a date written YYYY-MM-DD' }),
      )
      .meta({ format: 'date', description: 'The day the proof was given; not in the future (Africa/Porto-Novo).' }),
  })
  .meta({ id: 'ProofOfLifeRequest' });
