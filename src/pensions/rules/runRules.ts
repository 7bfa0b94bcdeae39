/**
 * Whether a monthly run may build its period's bulk, whoever started its workflow (the organization's Schedule, a
 * trigger, or someone with access to Temporal starting monthlyPensionRunWorkflow by hand with any input): only for
 * an organization whose schedule is there and not paused, from that schedule's payer account, for a well-formed
 * period that has begun. Checked by src/pensions/store/periodBulkStore.ts before anything is written; each refusal is a
 * typed error whose code the activity's non-retryable failure carries.
 */
import { isPeriod, periodOf } from './pensionPeriod';
import { ConflictError, UnprocessableError } from '../../errors';

/** The organization's schedule as Temporal holds it when the run is checked (src/pensions/scheduleClient.ts reads it). */
export interface ScheduledRun {
  scheduleId: string;
  /** From the input the schedule starts its runs with. */
  organizationId: number;
  payerAccountId: number;
  /** The schedule's time zone, in which "the current period" is read. */
  timeZone: string;
  paused: boolean;
}

export interface RunToCheck {
  organizationId: number;
  payerAccountId: number;
  period: string;
}

/** Throws the refusal when the run may not build anything; `now` decides which period is the current one. */
export function checkRunIsScheduled(run: RunToCheck, schedule: ScheduledRun | null, now: Date): void {
  if (schedule === null || schedule.organizationId !== run.organizationId) {
    throw new ConflictError('run_not_scheduled', {
      fr: "Cette organisation n'a pas de planning de paiement mensuel : aucun paiement mensuel ne peut être lancé.",
      en: 'This organization has no monthly run schedule: no monthly run may be started for it.',
    });
  }
  // Pausing is how an organization stops its monthly payments (an audit, a roll being corrected): a run started
  // around the pause would pay anyway. A wanted run is made by resuming, running, and pausing again.
  if (schedule.paused) throw schedulePausedRefusal(schedule.scheduleId);
  if (schedule.payerAccountId !== run.payerAccountId) {
    throw new ConflictError(
      'payer_account_mismatch',
      {
        fr: 'Le paiement mensuel se fait depuis le compte payeur du planning, pas depuis un autre compte.',
        en: "A monthly run pays from its schedule's payer account, not from another account.",
      },
      { schedule_id: schedule.scheduleId, payer_account_id: run.payerAccountId },
    );
  }
  // A past period is a late or corrective run: allowed, and paid at most once (the period's run row decides).
  const current = periodOf(now, schedule.timeZone);
  if (!isPeriod(run.period) || run.period > current) {
    throw new UnprocessableError(
      'period_not_allowed',
      {
        fr: `La période doit être un mois AAAA-MM déjà commencé (au plus ${current}).`,
        en: `The period must be a YYYY-MM month that has begun (${current} at the latest).`,
      },
      { period: run.period, current_period: current },
    );
  }
}

/** Also what a trigger of a paused schedule is answered (src/pensions/scheduleClient.ts): its run would be refused. */
export function schedulePausedRefusal(scheduleId: string): ConflictError {
  return new ConflictError(
    'schedule_paused',
    {
      fr: "Le planning de paiement mensuel de cette organisation est en pause : reprenez-le d'abord.",
      en: "This organization's monthly run schedule is paused: resume it first.",
    },
    { schedule_id: scheduleId },
  );
}
