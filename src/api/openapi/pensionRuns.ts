/** /api/pension-runs (src/api/routes/pensionRuns.ts): monthly runs and the Temporal Schedule that starts them. */
import { DEFAULT_TIME_ZONE } from '../../domain/pensionPeriod';
import { HELD_OUT_REASONS } from '../../domain/pensionEligibility';
import {
  arrayOf,
  BEARER,
  COUNT,
  errorResponse,
  jsonRequestBody,
  jsonResponse,
  MINOR_UNITS,
  nullable,
  object,
  pageOf,
  pageParameters,
  ref,
  responses,
  TIMESTAMP,
  UUID,
} from './components';
import type { ApiArea, OperationObject, ParameterObject, ResponseObject, SchemaObject } from './types';

const TAG = 'pension runs';
const READERS_RULE = 'A GESTIONNAIRE or SUPERVISEUR of an organization may read its runs and schedule.';
const WRITERS_RULE = 'Only a GESTIONNAIRE of an active organization may change the schedule.';

const scheduleIdParameter: ParameterObject = {
  name: 'schedule_id',
  in: 'path',
  required: true,
  description: "`pension-run-<organization code>`: only the caller's organization's schedule; any other is 404.",
  schema: { type: 'string' },
};

const temporalUnavailable = errorResponse('The scheduler (Temporal) is not reachable; try again shortly.', { codes: ['temporal_unavailable'] });

const schemas: Record<string, SchemaObject> = {
  PensionSchedule: object({
    schedule_id: { type: 'string', examples: ['pension-run-CNSS'] },
    spec: object({
      day_of_month: nullable({ type: 'integer', minimum: 1, maximum: 31 }),
      hour: nullable({ type: 'integer', minimum: 0, maximum: 23 }),
      minute: nullable({ type: 'integer', minimum: 0, maximum: 59 }),
      time_zone: nullable({ type: 'string' }),
    }),
    payer_account_id: nullable({ type: 'integer', description: 'Internal id of the account paid from.' }),
    paused: { type: 'boolean' },
    note: nullable({ type: 'string' }),
    overlap_policy: { type: 'string', description: "Temporal's overlap policy (SKIP: a run never overlaps the previous one)." },
    next_run_times: arrayOf(TIMESTAMP),
    recent_actions: arrayOf(
      object({ scheduled_at: TIMESTAMP, taken_at: TIMESTAMP, workflow_id: { type: 'string' }, run_id: { type: 'string' } }),
    ),
  }),
  CreatePensionScheduleRequest: {
    type: 'object',
    required: ['day_of_month', 'hour', 'minute'],
    properties: {
      day_of_month: { type: 'integer', minimum: 1, maximum: 28, description: '29 to 31 are refused: some months lack them.' },
      hour: { type: 'integer', minimum: 0, maximum: 23 },
      minute: { type: 'integer', minimum: 0, maximum: 59 },
      time_zone: { type: 'string', default: DEFAULT_TIME_ZONE, description: 'An IANA time zone.' },
      payer_account: { type: 'string', minLength: 1, maxLength: 64, description: "An account_id; the organization's oldest account by default." },
    },
  },
  ScheduleNoteRequest: { type: 'object', properties: { note: { type: 'string', maxLength: 500 } } },
  HeldOutBeneficiary: object({
    beneficiary_id: { type: 'integer' },
    party_id_type: { type: 'string' },
    party_identifier: { type: 'string' },
    full_name: { type: 'string' },
    reason: { type: 'string', enum: HELD_OUT_REASONS },
  }),
  PensionRunSummary: object({
    period: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', examples: ['2026-11'] },
    state: { type: 'string', enum: ['PROCESSING', 'COMPLETED', 'FAILED'] },
    failure_reason: nullable({ type: 'string' }),
    failure_details: { description: 'What failed, when the run failed; otherwise null.' },
    bulk_id: nullable(UUID),
    bulk_state: nullable({ type: 'string' }),
    payer_account: { type: 'string' },
    eligible_count: COUNT,
    held_out_count: COUNT,
    total_amount: MINOR_UNITS,
    currency: nullable({ type: 'string' }),
    workflow_id: nullable({ type: 'string' }),
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
    completed_at: nullable(TIMESTAMP),
  }),
  PensionRunDetails: {
    allOf: [
      ref('PensionRunSummary'),
      object({
        held_out: arrayOf(ref('HeldOutBeneficiary'), 'Beneficiaries not paid this period, and why.'),
        transfers: object({ completed: COUNT, failed: COUNT, pending: COUNT, processing: COUNT }),
      }),
    ],
  },
};

const readerErrors: Record<string, ResponseObject> = {
  '401': responses.unauthorized,
  '403': responses.forbidden(READERS_RULE),
};
const writerErrors: Record<string, ResponseObject> = {
  '401': responses.unauthorized,
  '403': responses.forbidden(WRITERS_RULE, ['organization_inactive']),
};

function scheduleCommand(command: 'pause' | 'resume' | 'trigger', summary: string): OperationObject {
  const answer: Record<string, ResponseObject> =
    command === 'trigger'
      ? { '202': jsonResponse('A run was started now.', object({ schedule_id: { type: 'string' }, triggered: { const: true } })) }
      : { '200': jsonResponse('The schedule as it is now.', ref('PensionSchedule')) };
  return {
    operationId: `${command}PensionSchedule`,
    tags: [TAG],
    summary,
    security: BEARER,
    parameters: [scheduleIdParameter],
    requestBody: { ...jsonRequestBody(ref('ScheduleNoteRequest'), false), description: 'An optional note, kept on the schedule.' },
    responses: {
      ...answer,
      '400': responses.invalidJsonBody,
      ...writerErrors,
      '404': responses.notFound,
      '413': responses.jsonBodyTooLarge,
      '503': temporalUnavailable,
    },
  };
}

export const pensionRunsArea: ApiArea = {
  tag: { name: TAG, description: 'Monthly pension runs, paid exactly once per period, and the schedule that starts them.' },
  schemas,
  paths: {
    '/api/pension-runs': {
      get: {
        operationId: 'listPensionRuns',
        tags: [TAG],
        summary: "The organization's monthly runs, newest period first",
        security: BEARER,
        parameters: pageParameters({ defaultValue: 24, max: 200 }),
        responses: {
          '200': jsonResponse('A page of runs.', pageOf(ref('PensionRunSummary'))),
          '400': responses.invalidFilter,
          ...readerErrors,
        },
      },
    },
    '/api/pension-runs/{period}': {
      get: {
        operationId: 'getPensionRun',
        tags: [TAG],
        summary: 'One monthly run, with who was held out and the payout counts',
        security: BEARER,
        parameters: [{ name: 'period', in: 'path', required: true, description: 'YYYY-MM.', schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } }],
        responses: {
          '200': jsonResponse('The run.', ref('PensionRunDetails')),
          ...readerErrors,
          '404': responses.notFound,
        },
      },
    },
    '/api/pension-runs/schedules': {
      post: {
        operationId: 'createPensionSchedule',
        tags: [TAG],
        summary: 'Schedule the monthly run',
        description: 'One schedule per organization; delete it to change it.',
        security: BEARER,
        requestBody: jsonRequestBody(ref('CreatePensionScheduleRequest')),
        responses: {
          '201': jsonResponse('Scheduled.', ref('PensionSchedule')),
          '400': errorResponse(
            'The body is invalid, or names an account the organization does not have (`invalid_payer_account`).',
            { codes: ['validation_error', 'invalid_payer_account'], details: ref('FieldErrors') },
            { codes: ['bad_request'] },
          ),
          ...writerErrors,
          '409': errorResponse('The organization already has a schedule.', {
            codes: ['schedule_exists'],
            details: object({ schedule_id: { type: 'string' } }),
          }),
          '413': responses.jsonBodyTooLarge,
          '422': errorResponse('The organization has no account to pay pensions from.', { codes: ['no_payer_account'] }),
          '503': temporalUnavailable,
        },
      },
      get: {
        operationId: 'listPensionSchedules',
        tags: [TAG],
        summary: "The organization's schedule, if any",
        security: BEARER,
        responses: {
          '200': jsonResponse('None or one schedule.', object({ count: { type: 'integer', minimum: 0, maximum: 1 }, results: arrayOf(ref('PensionSchedule')) })),
          ...readerErrors,
          '503': temporalUnavailable,
        },
      },
    },
    '/api/pension-runs/schedules/{schedule_id}': {
      get: {
        operationId: 'getPensionSchedule',
        tags: [TAG],
        summary: 'The schedule',
        security: BEARER,
        parameters: [scheduleIdParameter],
        responses: {
          '200': jsonResponse('The schedule.', ref('PensionSchedule')),
          ...readerErrors,
          '404': responses.notFound,
          '503': temporalUnavailable,
        },
      },
      delete: {
        operationId: 'deletePensionSchedule',
        tags: [TAG],
        summary: 'Delete the schedule',
        description: 'Runs already started go on.',
        security: BEARER,
        parameters: [scheduleIdParameter],
        responses: {
          '204': { description: 'Deleted.' },
          ...writerErrors,
          '404': responses.notFound,
          '503': temporalUnavailable,
        },
      },
    },
    '/api/pension-runs/schedules/{schedule_id}/pause': { post: scheduleCommand('pause', 'Pause the schedule') },
    '/api/pension-runs/schedules/{schedule_id}/resume': { post: scheduleCommand('resume', 'Resume the schedule') },
    '/api/pension-runs/schedules/{schedule_id}/trigger': {
      post: scheduleCommand('trigger', 'Start a run now (a period already paid pays nobody again)'),
    },
  },
};
