/**
 * The monthly pension run of an organization as a Temporal Schedule (one per organization, id
 * `pension-run-<orgCode>`): Temporal keeps the calendar, fires in the organization's time zone, skips a run
 * while the previous one still runs, catches up a run missed by less than a day, and can be paused, resumed and
 * triggered by hand. Each action starts monthlyPensionRunWorkflow.
 */
import { ScheduleAlreadyRunning, type ScheduleDescription, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { TemporalHandle } from '../clients/temporal';
import type { MonthlyPensionRunInput } from '../../workflows/monthlyPensionRunWorkflow';
import { ConflictError, NotFoundError } from '../errors';

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

export async function createPensionSchedule(temporal: TemporalHandle, taskQueue: string, schedule: PensionSchedule): Promise<string> {
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
        calendars: [{ dayOfMonth: schedule.dayOfMonth, hour: schedule.hour, minute: schedule.minute, comment: 'Monthly pension run' }],
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
      throw new ConflictError('Your organization already has a monthly run schedule. Delete it first to change it.', 'schedule_exists', {
        schedule_id: scheduleId,
      });
    }
    throw error;
  }
  return scheduleId;
}

/** The schedule as the API shows it, or null when the organization has none. */
export async function describePensionSchedule(temporal: TemporalHandle, scheduleId: string): Promise<Record<string, unknown> | null> {
  let description: ScheduleDescription;
  try {
    description = await temporal.client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
  const calendar = description.spec.calendars?.[0];
  const action = description.action.type === 'startWorkflow' ? description.action : null;
  const input = (action?.args?.[0] ?? null) as MonthlyPensionRunInput | null;
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
    overlap_policy: description.policies.overlap,
    next_run_times: description.info.nextActionTimes.map((time) => time.toISOString()),
    recent_actions: description.info.recentActions.map((recent) => ({
      scheduled_at: recent.scheduledAt.toISOString(),
      taken_at: recent.takenAt.toISOString(),
      workflow_id: recent.action.workflow.workflowId,
      run_id: recent.action.workflow.firstExecutionRunId,
    })),
  };
}

export type ScheduleCommand = 'pause' | 'resume' | 'trigger' | 'delete';

/** 404 when the schedule does not exist (any more). */
export async function commandPensionSchedule(temporal: TemporalHandle, scheduleId: string, command: ScheduleCommand, note?: string): Promise<void> {
  const handle = temporal.client.schedule.getHandle(scheduleId);
  try {
    switch (command) {
      case 'pause':
        return await handle.pause(note ?? 'Paused through the API');
      case 'resume':
        return await handle.unpause(note ?? 'Resumed through the API');
      // A run for a period already paid finds it and pays nobody again (src/pensions/periodBulk.ts).
      case 'trigger':
        return await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
      case 'delete':
        return await handle.delete();
    }
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new NotFoundError();
    throw error;
  }
}
