/**
 * The use-cases of /api/pension-runs/schedules: the organization's one Temporal Schedule (./schedules.ts), created,
 * read, paused, resumed, triggered and deleted by its own users only; any other schedule id is 404.
 */
import type { Logger } from 'pino';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import type { TemporalHandle } from '../clients/temporal';
import { SCHEDULER, withTemporal } from '../clients/temporalCall';
import type { Config } from '../config';
import { db } from '../db/knex';
import { PermissionDeniedError, UnprocessableError, ValidationError } from '../errors';
import { Account, Organization } from '../models';
import { notFound } from '../organizations/organizationScope';
import {
  commandPensionSchedule,
  createPensionSchedule,
  type ScheduleAuthor,
  describePensionSchedule,
  type ScheduleView,
  scheduleIdFor,
} from './scheduleClient';

export interface ScheduleContext {
  config: Config;
  temporal: () => Promise<TemporalHandle>;
  log: Logger;
  /** Written with each change in the audit log. */
  requestId: string;
}

function authorOf(context: ScheduleContext, user: AuthenticatedUser, organizationId: number): ScheduleAuthor {
  return { actor: { userId: user.id, email: user.email }, requestId: context.requestId, organizationId };
}

export interface ScheduleRequest {
  dayOfMonth: number;
  hour: number;
  minute: number;
  timeZone: string;
  /** An account_id; the organization's oldest account when null. */
  payerAccount: string | null;
}

export async function createSchedule(
  context: ScheduleContext,
  user: AuthenticatedUser,
  request: ScheduleRequest,
): Promise<ScheduleView> {
  const organization = await callerOrganization(user);
  const payer = await payerAccount(organization.id, request.payerAccount);
  const scheduleId = await scheduler(context, (temporal) =>
    createPensionSchedule(
      temporal,
      context.config.temporal.taskQueue,
      {
        organizationId: organization.id,
        organizationCode: organization.code,
        payerAccountId: payer.id,
        dayOfMonth: request.dayOfMonth,
        hour: request.hour,
        minute: request.minute,
        timeZone: request.timeZone,
      },
      authorOf(context, user, organization.id),
    ),
  );
  context.log.info({ scheduleId, organizationId: organization.id }, 'pension run schedule created');
  return describedSchedule(context, scheduleId);
}

/** None or one: an organization has at most one schedule. */
export async function scheduleList(context: ScheduleContext, user: AuthenticatedUser) {
  const organization = await callerOrganization(user);
  const schedule = await scheduler(context, (temporal) =>
    describePensionSchedule(temporal, scheduleIdFor(organization.code)),
  );
  return { count: schedule ? 1 : 0, results: schedule ? [schedule] : [] };
}

export async function scheduleOf(
  context: ScheduleContext,
  user: AuthenticatedUser,
  scheduleId: string,
): Promise<ScheduleView> {
  return describedSchedule(context, await ownScheduleId(user, scheduleId));
}

export async function pauseOrResumeSchedule(
  context: ScheduleContext,
  user: AuthenticatedUser,
  scheduleId: string,
  command: 'pause' | 'resume',
  note: string | undefined,
): Promise<ScheduleView> {
  const own = await ownScheduleId(user, scheduleId);
  await scheduler(context, (temporal) =>
    commandPensionSchedule(temporal, own, command, authorOf(context, user, user.organizationId!), note),
  );
  context.log.info({ scheduleId: own, command }, 'pension run schedule command');
  return describedSchedule(context, own);
}

/** A run now; a period already paid pays nobody again (src/pensions/store/periodBulkStore.ts). */
export async function triggerSchedule(
  context: ScheduleContext,
  user: AuthenticatedUser,
  scheduleId: string,
  note: string | undefined,
) {
  const own = await ownScheduleId(user, scheduleId);
  await scheduler(context, (temporal) =>
    commandPensionSchedule(temporal, own, 'trigger', authorOf(context, user, user.organizationId!), note),
  );
  context.log.info({ scheduleId: own, command: 'trigger' }, 'pension run schedule command');
  return { schedule_id: own, triggered: true as const };
}

/** Runs that have built their bulk go on; one that had not yet is refused (src/pensions/rules/runRules.ts). */
export async function deleteSchedule(
  context: ScheduleContext,
  user: AuthenticatedUser,
  scheduleId: string,
): Promise<void> {
  const own = await ownScheduleId(user, scheduleId);
  await scheduler(context, (temporal) =>
    commandPensionSchedule(temporal, own, 'delete', authorOf(context, user, user.organizationId!)),
  );
  context.log.info({ scheduleId: own }, 'pension run schedule deleted');
}

function scheduler<T>(context: ScheduleContext, call: (temporal: TemporalHandle) => Promise<T>): Promise<T> {
  return withTemporal(context.temporal, context.log, SCHEDULER, call);
}

async function describedSchedule(context: ScheduleContext, scheduleId: string): Promise<ScheduleView> {
  const schedule = await scheduler(context, (temporal) => describePensionSchedule(temporal, scheduleId));
  if (!schedule) throw notFound();
  return schedule;
}

async function callerOrganization(user: AuthenticatedUser): Promise<Organization> {
  const organization =
    user.organizationId === null ? undefined : await Organization.query(db()).findById(user.organizationId);
  if (!organization) {
    throw new PermissionDeniedError('permission_denied', {
      fr: "Votre compte n'appartient à aucune organisation.",
      en: 'Your account belongs to no organization.',
    });
  }
  return organization;
}

/** The caller's own schedule id; any other (another organization's, or none at all) is 404. */
async function ownScheduleId(user: AuthenticatedUser, scheduleId: string): Promise<string> {
  const own = scheduleIdFor((await callerOrganization(user)).code);
  if (scheduleId !== own) throw notFound();
  return own;
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
      {
        fr: `Votre organisation n'a pas de compte ${accountId}.`,
        en: `Your organization has no account ${accountId}.`,
      },
      { payer_account: [{ fr: 'compte inconnu', en: 'unknown account' }] },
    );
  }
  throw new UnprocessableError('no_payer_account', {
    fr: "Votre organisation n'a aucun compte depuis lequel payer les pensions.",
    en: 'Your organization has no account to pay pensions from.',
  });
}
