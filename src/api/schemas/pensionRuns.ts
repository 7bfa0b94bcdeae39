/** The shapes of /api/pension-runs: the monthly runs, and the Temporal Schedule that starts them. */
import { z } from 'zod';
import { ruleMessage } from '../http/bodyValidation';
import { HELD_OUT_REASONS } from '../../pensions/rules/pensionEligibility';
import { DEFAULT_TIME_ZONE, isPeriod, isTimeZone } from '../../pensions/rules/pensionPeriod';
import { Count, MinorUnits, Timestamp, page } from './common';

const Period = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
  .meta({ examples: ['2026-11'] });

/** YYYY-MM; anything else names no run (404). */
export const PeriodParams = z.object({ period: Period.refine(isPeriod).meta({ description: 'YYYY-MM.' }) });

export const ScheduleIdParams = z.object({
  schedule_id: z.string().max(200).meta({
    description: "`pension-run-<organization code>`: only the caller's organization's schedule; any other is 404.",
  }),
});

export const PensionSchedule = z
  .object({
    schedule_id: z.string().meta({ examples: ['pension-run-CNSS'] }),
    spec: z.object({
      day_of_month: z.int().min(1).max(31).nullable(),
      hour: z.int().min(0).max(23).nullable(),
      minute: z.int().min(0).max(59).nullable(),
      time_zone: z.string().nullable(),
    }),
    payer_account_id: z.int().nullable().meta({ description: 'Internal id of the account paid from.' }),
    paused: z.boolean(),
    note: z.string().nullable(),
    overlap_policy: z
      .string()
      .meta({ description: "Temporal's overlap policy (SKIP: a run never overlaps the previous one)." }),
    next_run_times: z.array(Timestamp),
    recent_actions: z.array(
      z.object({ scheduled_at: Timestamp, taken_at: Timestamp, workflow_id: z.string(), run_id: z.string() }),
    ),
  })
  .meta({ id: 'PensionSchedule' });

export const PensionScheduleList = z
  .object({ count: z.int().min(0).max(1), results: z.array(PensionSchedule) })
  .meta({ id: 'PensionScheduleList' });

export const CreatePensionScheduleRequest = z
  .object({
    // 29-31 are missing from some months: a schedule on them would skip a month's pensions.
    day_of_month: z.int().min(1).max(28).meta({ description: '29 to 31 are refused: some months lack them.' }),
    hour: z.int().min(0).max(23),
    minute: z.int().min(0).max(59),
    time_zone: z
      .string()
      .trim()
      .refine(
        isTimeZone,
        ruleMessage({
          fr: 'doit être un fuseau horaire IANA, par exemple Africa/Porto-Novo',
          en: 'must be an IANA time zone, e.g. Africa/Porto-Novo',
        }),
      )
      .default(DEFAULT_TIME_ZONE)
      .meta({ description: 'An IANA time zone.' }),
    payer_account: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .optional()
      .meta({ description: "An account_id; the organization's oldest account by default." }),
  })
  .meta({ id: 'CreatePensionScheduleRequest' });

export const ScheduleNoteRequest = z
  .object({ note: z.string().trim().max(500).optional() })
  .meta({ id: 'ScheduleNoteRequest', description: 'An optional note, kept on the schedule.' });

export const ScheduleTriggered = z
  .object({ schedule_id: z.string(), triggered: z.literal(true) })
  .meta({ id: 'ScheduleTriggered' });

const HeldOutBeneficiary = z
  .object({
    beneficiary_id: z.int(),
    party_id_type: z.string(),
    party_identifier: z.string(),
    full_name: z.string(),
    reason: z.enum(HELD_OUT_REASONS),
  })
  .meta({ id: 'HeldOutBeneficiary' });

const PensionRunSummary = z
  .object({
    period: Period,
    state: z.enum(['PROCESSING', 'COMPLETED', 'FAILED']),
    failure_reason: z.string().nullable(),
    failure_details: z.unknown().meta({ description: 'What failed, when the run failed; otherwise null.' }),
    bulk_id: z.uuid().nullable(),
    bulk_state: z.string().nullable(),
    payer_account: z.string(),
    eligible_count: Count,
    held_out_count: Count,
    total_amount: MinorUnits,
    currency: z.string().nullable(),
    workflow_id: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
    completed_at: Timestamp.nullable(),
  })
  .meta({ id: 'PensionRunSummary' });

export const PensionRunList = page(PensionRunSummary).meta({ id: 'PensionRunList' });

export const PensionRunDetails = PensionRunSummary.extend({
  held_out: z.array(HeldOutBeneficiary).meta({ description: 'Beneficiaries not paid this period, and why.' }),
  transfers: z.object({ completed: Count, failed: Count, pending: Count, processing: Count }),
}).meta({ id: 'PensionRunDetails' });
