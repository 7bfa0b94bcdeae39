/**
 * The monthly pension run of an organization as a Temporal Schedule (one per organization, id
 * `pension-run-<orgCode>`): Temporal keeps the calendar, fires in the organization's time zone, skips a run
 * while the previous one still runs, catches up a run missed by less than a day, and can be paused, resumed and
 * triggered by hand. Each action starts monthlyPensionRunWorkflow. Every change made through the API is written to
 * the audit log once Temporal has accepted it (the schedule lives in Temporal, not in our transaction).
 */
import {
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import type { Knex } from 'knex';
import type { TemporalHandle } from '../clients/temporal';
import type { MonthlyPensionRunInput } from './contract';
import { type AuditContext, type AuditKind, type AuditValues, recordAudit } from '../audit/auditLog';
import { DEFAULT_TIME_ZONE } from './rules/pensionPeriod';
import { ConflictError, MESSAGES, NotFoundError } from '../errors';
import { type ScheduledRun, schedulePausedRefusal } from './rules/runRules';

export const scheduleIdFor = (organizationCode: string): string => `pension-run-${organizationCode}`;

/** A run missed (Temporal down) is still started if Temporal comes back within this time. */
const CATCHUP_WINDOW = '1 day';

export interface PensionSchedule {
  organizationId: number;
  organizationCode: string;
  payerAccountId: number;
  /** 1-28: every month has it. */
  dayOfMonth: number;
  hour: number;
  minute: number;
  timeZone: string;
}

/** Who changes a schedule, and of which organization it is: for the audit log. */
export interface ScheduleAuthor extends AuditContext {
  organizationId: number;
}

export async function createPensionSchedule(
  knex: Knex,
  temporal: TemporalHandle,
  taskQueue: string,
  schedule: PensionSchedule,
  author: ScheduleAuthor,
): Promise<string> {
  const scheduleId = scheduleIdFor(schedule.organizationCode);
  const input: MonthlyPensionRunInput = {
    organizationId: schedule.organizationId,
    payerAccountId: schedule.payerAccountId,
    timeZone: schedule.timeZone,
  };
  try {
    await temporal.client.schedule.create({
      scheduleId,
      spec: {
        calendars: [
          {
            dayOfMonth: schedule.dayOfMonth,
            hour: schedule.hour,
            minute: schedule.minute,
            comment: 'Monthly pension run',
          },
        ],
        timezone: schedule.timeZone,
      },
      action: {
        type: 'startWorkflow',
        workflowType: 'monthlyPensionRunWorkflow',
        // Temporal appends the scheduled time, so each month's run has its own id.
        workflowId: scheduleId,
        taskQueue,
        args: [input],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW },
      memo: { organizationId: schedule.organizationId },
    });
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) {
      throw new ConflictError(
        'schedule_exists',
        {
          fr: "Votre organisation a déjà un planning de paiement mensuel. Supprimez-le d'abord pour le modifier.",
          en: 'Your organization already has a monthly run schedule. Delete it first to change it.',
        },
        { schedule_id: scheduleId },
      );
    }
    throw error;
  }
  const { organizationId: _organizationId, organizationCode: _organizationCode, ...settings } = schedule;
  await auditScheduleChange(knex, author, scheduleId, 'schedule.created', { ...settings, paused: false });
  return scheduleId;
}

/** The schedule as the API shows it. */
export interface ScheduleView {
  schedule_id: string;
  spec: { day_of_month: number | null; hour: number | null; minute: number | null; time_zone: string | null };
  payer_account_id: number | null;
  paused: boolean;
  note: string | null;
  overlap_policy: string;
  next_run_times: string[];
  recent_actions: Array<{ scheduled_at: string; taken_at: string; workflow_id: string; run_id: string }>;
}

/** Temporal's description of a schedule, or null when there is none by that id. */
async function scheduleDescription(temporal: TemporalHandle, scheduleId: string): Promise<ScheduleDescription | null> {
  try {
    return await temporal.client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}

/** The schedule, or null when the organization has none. */
export async function describePensionSchedule(
  temporal: TemporalHandle,
  scheduleId: string,
): Promise<ScheduleView | null> {
  const description = await scheduleDescription(temporal, scheduleId);
  if (description === null) return null;
  const calendar = description.spec.calendars?.[0];
  const input = runInputOf(description);
  return {
    schedule_id: scheduleId,
    spec: {
      day_of_month: calendar?.dayOfMonth[0]?.start ?? null,
      hour: calendar?.hour[0]?.start ?? null,
      minute: calendar?.minute[0]?.start ?? null,
      time_zone: description.spec.timezone ?? null,
    },
    payer_account_id: input?.payerAccountId ?? null,
    paused: description.state.paused,
    note: description.state.note ?? null,
    // Temporal's own default when a schedule names none.
    overlap_policy: description.policies.overlap ?? ScheduleOverlapPolicy.SKIP,
    next_run_times: description.info.nextActionTimes.map((time) => time.toISOString()),
    recent_actions: description.info.recentActions.map((recent) => ({
      scheduled_at: recent.scheduledAt.toISOString(),
      taken_at: recent.takenAt.toISOString(),
      workflow_id: recent.action.workflow.workflowId,
      run_id: recent.action.workflow.firstExecutionRunId,
    })),
  };
}

/**
 * The schedule a monthly run of the organization must come from, as Temporal holds it now (src/pensions/rules/runRules.ts):
 * null when the organization has none, or when what has its id does not start monthly runs.
 */
export async function scheduledRunOf(
  knex: Knex,
  temporal: TemporalHandle,
  organizationId: number,
): Promise<ScheduledRun | null> {
  const organization = await knex('organizations')
    .where('id', organizationId)
    .first<{ code: string } | undefined>('code');
  if (!organization) return null;
  const scheduleId = scheduleIdFor(organization.code);
  const description = await scheduleDescription(temporal, scheduleId);
  if (description === null) return null;
  const { action } = description;
  if (action.type !== 'startWorkflow' || action.workflowType !== 'monthlyPensionRunWorkflow') return null;
  const input = runInputOf(description);
  if (typeof input?.organizationId !== 'number' || typeof input.payerAccountId !== 'number') return null;
  return {
    scheduleId,
    organizationId: input.organizationId,
    payerAccountId: input.payerAccountId,
    // Where the schedule fires: the same zone its runs are given, unless someone changed one without the other.
    timeZone: description.spec.timezone ?? input.timeZone ?? DEFAULT_TIME_ZONE,
    paused: description.state.paused,
  };
}

/** The input the schedule starts each run with. */
function runInputOf(description: ScheduleDescription): MonthlyPensionRunInput | null {
  const action = description.action.type === 'startWorkflow' ? description.action : null;
  return (action?.args?.[0] ?? null) as MonthlyPensionRunInput | null;
}

export type ScheduleCommand = 'pause' | 'resume' | 'trigger' | 'delete';

/** 404 when the schedule does not exist (any more). */
export async function commandPensionSchedule(
  knex: Knex,
  temporal: TemporalHandle,
  scheduleId: string,
  command: ScheduleCommand,
  author: ScheduleAuthor,
  note?: string,
): Promise<void> {
  try {
    await sendScheduleCommand(temporal, scheduleId, command, note);
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new NotFoundError('not_found', MESSAGES.notFound);
    throw error;
  }
  const { kind, after } = COMMAND_AUDIT[command];
  await auditScheduleChange(knex, author, scheduleId, kind, note === undefined ? after : { ...after, note });
}

async function sendScheduleCommand(
  temporal: TemporalHandle,
  scheduleId: string,
  command: ScheduleCommand,
  note?: string,
): Promise<void> {
  const handle = temporal.client.schedule.getHandle(scheduleId);
  switch (command) {
    case 'pause':
      return handle.pause(note ?? 'Paused through the API');
    case 'resume':
      return handle.unpause(note ?? 'Resumed through the API');
    // A run for a period already paid finds it and pays nobody again (src/pensions/store/periodBulkStore.ts). Temporal runs a
    // trigger even while paused, but the run would be refused (src/pensions/rules/runRules.ts): refused here, plainly.
    case 'trigger':
      if ((await handle.describe()).state.paused) throw schedulePausedRefusal(scheduleId);
      return handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    case 'delete':
      return handle.delete();
  }
}

const COMMAND_AUDIT: Record<ScheduleCommand, { kind: AuditKind; after: AuditValues }> = {
  pause: { kind: 'schedule.paused', after: { paused: true } },
  resume: { kind: 'schedule.resumed', after: { paused: false } },
  trigger: { kind: 'schedule.triggered', after: { triggered: true } },
  delete: { kind: 'schedule.deleted', after: { deleted: true } },
};

async function auditScheduleChange(
  knex: Knex,
  author: ScheduleAuthor,
  scheduleId: string,
  kind: AuditKind,
  after: AuditValues,
): Promise<void> {
  await recordAudit(knex, {
    actor: author.actor,
    requestId: author.requestId,
    kind,
    organizationId: author.organizationId,
    subject: { type: 'schedule', id: scheduleId },
    before: null,
    after,
  });
}
