/**
 * The use-cases of /api/pension-runs/schedules: the organization's one Temporal Schedule (./schedules.ts), created,
 * read, paused, resumed, triggered and deleted by its own users only; any other schedule id is 404.
 */
import type { Knex } from 'knex';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import type { TemporalHandle } from '../clients/temporal';
import { SCHEDULER, withTemporal } from '../clients/temporalCall';
import { PermissionDeniedError, UnprocessableError, ValidationError } from '../errors';
import { Account, Organization } from '../models';
import { notFound } from '../organizations/organizationScope';
import { auditContextOf, type RequestScope } from '../requests/requestScope';
import {
  commandPensionSchedule,
  createPensionSchedule,
  type ScheduleAuthor,
  describePensionSchedule,
  type ScheduleView,
  scheduleIdFor,
} from './scheduleClient';

/** Who changes the schedule, and whose it is: written with each change in the audit log. */
function authorOf(scope: RequestScope, user: AuthenticatedUser, organizationId: number): ScheduleAuthor {
  return { ...auditContextOf(scope, user), organizationId };
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
  scope: RequestScope,
  user: AuthenticatedUser,
  request: ScheduleRequest,
): Promise<ScheduleView> {
  const organization = await callerOrganization(scope.db, user);
  const payer = await payerAccount(scope.db, organization.id, request.payerAccount);
  const scheduleId = await scheduler(scope, (temporal) =>
    createPensionSchedule(
      scope.db,
      temporal,
      scope.config.temporal.taskQueue,
      {
        organizationId: organization.id,
        organizationCode: organization.code,
        payerAccountId: payer.id,
        dayOfMonth: request.dayOfMonth,
        hour: request.hour,
        minute: request.minute,
        timeZone: request.timeZone,
      },
      authorOf(scope, user, organization.id),
    ),
  );
  scope.log.info({ scheduleId, organizationId: organization.id }, 'pension run schedule created');
  return describedSchedule(scope, scheduleId);
}

/** None or one: an organization has at most one schedule. */
export async function scheduleList(scope: RequestScope, user: AuthenticatedUser) {
  const organization = await callerOrganization(scope.db, user);
  const schedule = await scheduler(scope, (temporal) =>
    describePensionSchedule(temporal, scheduleIdFor(organization.code)),
  );
  return { count: schedule ? 1 : 0, results: schedule ? [schedule] : [] };
}

export async function scheduleOf(
  scope: RequestScope,
  user: AuthenticatedUser,
  scheduleId: string,
): Promise<ScheduleView> {
  return describedSchedule(scope, await ownScheduleId(scope.db, user, scheduleId));
}

export async function pauseOrResumeSchedule(
  scope: RequestScope,
  user: AuthenticatedUser,
  scheduleId: string,
  command: 'pause' | 'resume',
  note: string | undefined,
): Promise<ScheduleView> {
  const own = await ownScheduleId(scope.db, user, scheduleId);
  await scheduler(scope, (temporal) =>
    commandPensionSchedule(scope.db, temporal, own, command, authorOf(scope, user, user.organizationId!), note),
  );
  scope.log.info({ scheduleId: own, command }, 'pension run schedule command');
  return describedSchedule(scope, own);
}

/** A run now; a period already paid pays nobody again (src/pensions/store/periodBulkStore.ts). */
export async function triggerSchedule(
  scope: RequestScope,
  user: AuthenticatedUser,
  scheduleId: string,
  note: string | undefined,
) {
  const own = await ownScheduleId(scope.db, user, scheduleId);
  await scheduler(scope, (temporal) =>
    commandPensionSchedule(scope.db, temporal, own, 'trigger', authorOf(scope, user, user.organizationId!), note),
  );
  scope.log.info({ scheduleId: own, command: 'trigger' }, 'pension run schedule command');
  return { schedule_id: own, triggered: true as const };
}

/** Runs that have built their bulk go on; one that had not yet is refused (src/pensions/rules/runRules.ts). */
export async function deleteSchedule(scope: RequestScope, user: AuthenticatedUser, scheduleId: string): Promise<void> {
  const own = await ownScheduleId(scope.db, user, scheduleId);
  await scheduler(scope, (temporal) =>
    commandPensionSchedule(scope.db, temporal, own, 'delete', authorOf(scope, user, user.organizationId!)),
  );
  scope.log.info({ scheduleId: own }, 'pension run schedule deleted');
}

function scheduler<T>(scope: RequestScope, call: (temporal: TemporalHandle) => Promise<T>): Promise<T> {
  return withTemporal(scope.temporal, scope.log, SCHEDULER, call);
}

async function describedSchedule(scope: RequestScope, scheduleId: string): Promise<ScheduleView> {
  const schedule = await scheduler(scope, (temporal) => describePensionSchedule(temporal, scheduleId));
  if (!schedule) throw notFound();
  return schedule;
}

async function callerOrganization(knex: Knex, user: AuthenticatedUser): Promise<Organization> {
  const organization =
    user.organizationId === null ? undefined : await Organization.query(knex).findById(user.organizationId);
  if (!organization) {
    throw new PermissionDeniedError('permission_denied', {
      fr: "Votre compte n'appartient à aucune organisation.",
      en: 'Your account belongs to no organization.',
    });
  }
  return organization;
}

/** The caller's own schedule id; any other (another organization's, or none at all) is 404. */
async function ownScheduleId(knex: Knex, user: AuthenticatedUser, scheduleId: string): Promise<string> {
  const own = scheduleIdFor((await callerOrganization(knex, user)).code);
  if (scheduleId !== own) throw notFound();
  return own;
}

/** The account named, or the organization's oldest one. */
async function payerAccount(knex: Knex, organizationId: number, accountId: string | null): Promise<Account> {
  const query = Account.query(knex).where('organization_id', organizationId).orderBy('id');
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
