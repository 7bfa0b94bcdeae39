/**
 * /api/pension-runs: the monthly pension runs (src/pensions/runUseCases.ts; GESTIONNAIRE, SUPERVISEUR read) and the
 * organization's Temporal Schedule that starts them (src/pensions/scheduleUseCases.ts; GESTIONNAIRE of an active
 * organization changes it). A schedule id other than the caller's organization's is 404.
 */
import { z } from 'zod';
import { pensionRunList, pensionRunOf } from '../../pensions/runUseCases';
import {
  createSchedule,
  deleteSchedule,
  pauseOrResumeSchedule,
  scheduleList,
  scheduleOf,
  triggerSchedule,
} from '../../pensions/scheduleUseCases';
import { CanReadOrganization, InActiveOrganization, IsGestionnaire } from '../http/guards';
import { queryInteger } from '../http/queryParams';
import { defineRoute } from '../http/routeDefinition';
import { FieldErrors } from '../schemas/common';
import {
  CreatePensionScheduleRequest,
  PensionRunDetails,
  PensionRunList,
  PensionSchedule,
  PensionScheduleList,
  PeriodParams,
  ScheduleIdParams,
  ScheduleNoteRequest,
  ScheduleTriggered,
} from '../schemas/pensionRuns';

const tag = 'pension runs';
const readers = { kind: 'user', guards: [CanReadOrganization] } as const;
const writers = { kind: 'user', guards: [IsGestionnaire, InActiveOrganization] } as const;
const schedulerDown = { 503: ['temporal_unavailable'] };
const writerErrors = { 403: ['organization_inactive'], ...schedulerDown };

// The schedule routes come before /:period, which would otherwise take "schedules" for a period (and 404 it).
const create = defineRoute({
  method: 'post',
  path: '/api/pension-runs/schedules',
  operationId: 'createPensionSchedule',
  tag,
  summary: 'Schedule the monthly run',
  description: 'One schedule per organization; delete it to change it.',
  access: writers,
  body: { kind: 'json', schema: CreatePensionScheduleRequest },
  answers: { 201: { description: 'Scheduled.', schema: PensionSchedule } },
  errors: {
    400: [{ code: 'invalid_payer_account', details: FieldErrors }],
    ...writerErrors,
    409: [{ code: 'schedule_exists', details: z.object({ schedule_id: z.string() }) }],
    422: ['no_payer_account'],
  },
  handler: async ({ scope, user, body }) => {
    const request = {
      dayOfMonth: body.day_of_month,
      hour: body.hour,
      minute: body.minute,
      timeZone: body.time_zone,
      payerAccount: body.payer_account ?? null,
    };
    return { status: 201, body: await createSchedule(scope, user, request) };
  },
});

const listSchedules = defineRoute({
  method: 'get',
  path: '/api/pension-runs/schedules',
  operationId: 'listPensionSchedules',
  tag,
  summary: "The organization's schedule, if any",
  access: readers,
  answers: { 200: { description: 'None or one schedule.', schema: PensionScheduleList } },
  errors: schedulerDown,
  handler: async ({ scope, user }) => ({ status: 200, body: await scheduleList(scope, user) }),
});

const readSchedule = defineRoute({
  method: 'get',
  path: '/api/pension-runs/schedules/:schedule_id',
  operationId: 'getPensionSchedule',
  tag,
  summary: 'The schedule',
  access: readers,
  params: ScheduleIdParams,
  answers: { 200: { description: 'The schedule.', schema: PensionSchedule } },
  errors: schedulerDown,
  handler: async ({ scope, user, params }) => ({
    status: 200,
    body: await scheduleOf(scope, user, params.schedule_id),
  }),
});

function pauseOrResume(command: 'pause' | 'resume', summary: string) {
  return defineRoute({
    method: 'post',
    path: `/api/pension-runs/schedules/:schedule_id/${command}`,
    operationId: `${command}PensionSchedule`,
    tag,
    summary,
    access: writers,
    params: ScheduleIdParams,
    body: { kind: 'json', schema: ScheduleNoteRequest, description: 'An optional note, kept on the schedule.' },
    answers: { 200: { description: 'The schedule as it is now.', schema: PensionSchedule } },
    errors: writerErrors,
    handler: async ({ scope, user, params, body }) => ({
      status: 200,
      body: await pauseOrResumeSchedule(scope, user, params.schedule_id, command, body.note),
    }),
  });
}

const trigger = defineRoute({
  method: 'post',
  path: '/api/pension-runs/schedules/:schedule_id/trigger',
  operationId: 'triggerPensionSchedule',
  tag,
  summary: 'Start a run now (a period already paid pays nobody again)',
  access: writers,
  params: ScheduleIdParams,
  body: { kind: 'json', schema: ScheduleNoteRequest, description: 'An optional note, kept on the schedule.' },
  answers: { 202: { description: 'A run was started now.', schema: ScheduleTriggered } },
  errors: { ...writerErrors, 409: [{ code: 'schedule_paused', details: z.object({ schedule_id: z.string() }) }] },
  handler: async ({ scope, user, params, body }) => ({
    status: 202,
    body: await triggerSchedule(scope, user, params.schedule_id, body.note),
  }),
});

const remove = defineRoute({
  method: 'delete',
  path: '/api/pension-runs/schedules/:schedule_id',
  operationId: 'deletePensionSchedule',
  tag,
  summary: 'Delete the schedule',
  description: 'Runs that have built their bulk go on; one that had not yet is refused.',
  access: writers,
  params: ScheduleIdParams,
  answers: { 204: { description: 'Deleted.', empty: true } },
  errors: writerErrors,
  handler: async ({ scope, user, params }) => {
    await deleteSchedule(scope, user, params.schedule_id);
    return { status: 204, body: null };
  },
});

const listRuns = defineRoute({
  method: 'get',
  path: '/api/pension-runs',
  operationId: 'listPensionRuns',
  tag,
  summary: "The organization's monthly runs, newest period first",
  access: readers,
  query: z.object({
    limit: queryInteger({ defaultValue: 24, min: 1, max: 200 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'A page of runs.', schema: PensionRunList } },
  handler: async ({ scope, user, query }) => ({
    status: 200,
    body: await pensionRunList(scope, user, { limit: query.limit, offset: query.offset }),
  }),
});

const readRun = defineRoute({
  method: 'get',
  path: '/api/pension-runs/:period',
  operationId: 'getPensionRun',
  tag,
  summary: 'One monthly run, with who was held out and the payout counts',
  access: readers,
  params: PeriodParams,
  answers: { 200: { description: 'The run.', schema: PensionRunDetails } },
  handler: async ({ scope, user, params }) => ({ status: 200, body: await pensionRunOf(scope, user, params.period) }),
});

export const pensionRunRoutes = [
  create,
  listSchedules,
  readSchedule,
  pauseOrResume('pause', 'Pause the schedule'),
  pauseOrResume('resume', 'Resume the schedule'),
  trigger,
  remove,
  listRuns,
  readRun,
];
