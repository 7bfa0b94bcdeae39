/**
 * /api/pension-runs: the monthly pension runs (reads: GESTIONNAIRE, SUPERVISEUR) and the organization's Temporal
 * Schedule that starts them (writes: GESTIONNAIRE). A schedule id other than the caller's organization's is 404.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseBody, ruleMessage } from '../../auth/bodyValidation';
import { db } from '../../db/knex';
import { DEFAULT_TIME_ZONE, isPeriod, isTimeZone } from '../../domain/pensionPeriod';
import { MESSAGES, NotFoundError, PermissionDeniedError, UnprocessableError, ValidationError } from '../../errors';
import { Account, Organization } from '../../models';
import { findPensionRun, listPensionRuns } from '../../pensions/runReads';
import {
  commandPensionSchedule,
  createPensionSchedule,
  describePensionSchedule,
  ScheduleAuthor,
  ScheduleCommand,
  scheduleIdFor,
} from '../../pensions/schedules';
import type { AppDependencies } from '../app';
import { withTemporal } from './temporalCall';
import { authenticate } from '../middleware/authenticate';
import { CanReadOrganization, currentUser, IsGestionnaire } from '../middleware/permissions';
import { jsonBody } from './auth';
import { integerParam, requireActiveOrganization } from './bulkTransfers';

const ScheduleBody = z.object({
  // 29-31 are missing from some months: a schedule on them would skip a month's pensions.
  day_of_month: z.number().int().min(1).max(28),
  hour: z.number().int().min(0).max(23),
  minute: z.number().int().min(0).max(59),
  time_zone: z
    .string()
    .trim()
    .refine(isTimeZone, ruleMessage({ fr: 'doit être un fuseau horaire IANA, par exemple Africa/Porto-Novo', en: 'must be an IANA time zone, e.g. Africa/Porto-Novo' }))
    .default(DEFAULT_TIME_ZONE),
  payer_account: z.string().trim().min(1).max(64).optional(),
});

const NoteBody = z.object({ note: z.string().trim().max(500).optional() }).optional();

export function pensionRunsRouter(deps: AppDependencies): Router {
  const router = new Router({ prefix: '/api/pension-runs' });
  const readers = [authenticate(deps.config), CanReadOrganization];
  const writers = [authenticate(deps.config), IsGestionnaire, requireActiveOrganization];

  router.post('/schedules', ...writers, jsonBody(deps.config), async (ctx) => {
    const body = parseBody(ScheduleBody, ctx.request.body, ctx.language);
    const organization = await callerOrganization(ctx);
    const payer = await payerAccount(organization.id, body.payer_account ?? null);
    const scheduleId = await withTemporal(ctx, deps, 'The scheduler', (temporal) =>
      createPensionSchedule(temporal, deps.config.temporal.taskQueue, {
        organizationId: organization.id,
        organizationCode: organization.code,
        payerAccountId: payer.id,
        dayOfMonth: body.day_of_month,
        hour: body.hour,
        minute: body.minute,
        timeZone: body.time_zone,
      }, scheduleAuthor(ctx, organization.id)),
    );
    ctx.log.info({ scheduleId, organizationId: organization.id }, 'pension run schedule created');
    ctx.status = 201;
    ctx.body = await withTemporal(ctx, deps, 'The scheduler', (temporal) => describePensionSchedule(temporal, scheduleId));
  });

  router.get('/schedules', ...readers, async (ctx) => {
    const organization = await callerOrganization(ctx);
    const schedule = await withTemporal(ctx, deps, 'The scheduler', (temporal) => describePensionSchedule(temporal, scheduleIdFor(organization.code)));
    ctx.body = { count: schedule ? 1 : 0, results: schedule ? [schedule] : [] };
  });

  router.get('/schedules/:schedule_id', ...readers, async (ctx) => {
    const scheduleId = await ownScheduleId(ctx);
    const schedule = await withTemporal(ctx, deps, 'The scheduler', (temporal) => describePensionSchedule(temporal, scheduleId));
    if (!schedule) throw new NotFoundError('not_found', MESSAGES.notFound);
    ctx.body = schedule;
  });

  const commands: Array<[string, ScheduleCommand]> = [['pause', 'pause'], ['resume', 'resume'], ['trigger', 'trigger']];
  for (const [path, command] of commands) {
    router.post(`/schedules/:schedule_id/${path}`, ...writers, jsonBody(deps.config), async (ctx) => {
      const scheduleId = await ownScheduleId(ctx);
      const body = parseBody(NoteBody, ctx.request.body, ctx.language);
      const author = scheduleAuthor(ctx, currentUser(ctx).organizationId!);
      await withTemporal(ctx, deps, 'The scheduler', (temporal) => commandPensionSchedule(temporal, scheduleId, command, author, body?.note));
      ctx.log.info({ scheduleId, command }, 'pension run schedule command');
      if (command === 'trigger') {
        ctx.status = 202;
        ctx.body = { schedule_id: scheduleId, triggered: true };
        return;
      }
      ctx.body = await withTemporal(ctx, deps, 'The scheduler', (temporal) => describePensionSchedule(temporal, scheduleId));
    });
  }

  router.delete('/schedules/:schedule_id', ...writers, async (ctx) => {
    const scheduleId = await ownScheduleId(ctx);
    const author = scheduleAuthor(ctx, currentUser(ctx).organizationId!);
    await withTemporal(ctx, deps, 'The scheduler', (temporal) => commandPensionSchedule(temporal, scheduleId, 'delete', author));
    ctx.log.info({ scheduleId }, 'pension run schedule deleted');
    ctx.status = 204;
  });

  router.get('/', ...readers, async (ctx) => {
    const limit = integerParam(ctx.query.limit, 'limit', { defaultValue: 24, min: 1, max: 200 });
    const offset = integerParam(ctx.query.offset, 'offset', { defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER });
    const { total, results } = await listPensionRuns(db(), currentUser(ctx).organizationId!, limit, offset);
    ctx.body = { total, count: results.length, limit, offset, results };
  });

  router.get('/:period', ...readers, async (ctx) => {
    const period = ctx.params.period;
    if (period === undefined || !isPeriod(period)) throw new NotFoundError('not_found', MESSAGES.notFound);
    const run = await findPensionRun(db(), currentUser(ctx).organizationId!, period);
    if (!run) throw new NotFoundError('not_found', MESSAGES.notFound);
    ctx.body = run;
  });

  return router;
}

async function callerOrganization(ctx: Context): Promise<Organization> {
  const organizationId = currentUser(ctx).organizationId;
  const organization = organizationId === null ? undefined : await Organization.query(db()).findById(organizationId);
  if (!organization) throw new PermissionDeniedError('permission_denied', MESSAGES.noOrganization);
  return organization;
}

/** Who changes the schedule, for the audit log; ownScheduleId has checked it is their organization's. */
function scheduleAuthor(ctx: Context, organizationId: number): ScheduleAuthor {
  const user = currentUser(ctx);
  return { actor: { userId: user.id, email: user.email }, requestId: ctx.requestId, organizationId };
}

/** The caller's own schedule id; any other (another organization's, or none at all) is 404. */
async function ownScheduleId(ctx: Context): Promise<string> {
  const organization = await callerOrganization(ctx);
  const scheduleId = scheduleIdFor(organization.code);
  if (ctx.params.schedule_id !== scheduleId) throw new NotFoundError('not_found', MESSAGES.notFound);
  return scheduleId;
}

/** The account named, or the organization's oldest one. */
async function payerAccount(organizationId: number, accountId: string | null): Promise<Account> {
  const query = Account.query(db()).where('organization_id', organizationId).orderBy('id');
  if (accountId !== null) query.where('account_id', accountId);
  const account = await query.first();
  if (account) return account;
  if (accountId !== null) {
    throw new ValidationError(
      'invalid_payer_account',
      { fr: `Votre organisation n'a pas de compte ${accountId}.`, en: `Your organization has no account ${accountId}.` },
      { payer_account: [{ fr: 'compte inconnu', en: 'unknown account' }] },
    );
  }
  throw new UnprocessableError('no_payer_account', {
    fr: "Votre organisation n'a aucun compte depuis lequel payer les pensions.",
    en: 'Your organization has no account to pay pensions from.',
  });
}

