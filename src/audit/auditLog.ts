/**
 * The audit log (table audit_log, append-only): who changed what, when, the values before and after, and the
 * request id. `recordAudit` takes the caller's transaction, so a change and its record commit or roll back
 * together. A decision sent to a workflow (approve, reject, cancel, retry, a held line's) is recorded by its
 * activity in the decision's transaction; a Temporal schedule's change is recorded once it has succeeded.
 */
import type { Knex } from 'knex';

export const AUDIT_KINDS = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.password_reset',
  'user.logged_out',
  'organization.created',
  'organization.updated',
  'account.created',
  'account.deposit',
  'bulk.approved',
  'bulk.rejected',
  'bulk.cancelled',
  'bulk.retried',
  'transfer.hold_released',
  'transfer.hold_rejected',
  'schedule.created',
  'schedule.paused',
  'schedule.resumed',
  'schedule.triggered',
  'schedule.deleted',
  'webhook.created',
  'webhook.deleted',
  'webhook.disabled',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export function isAuditKind(value: string): value is AuditKind {
  return (AUDIT_KINDS as readonly string[]).includes(value);
}

export const AUDIT_SUBJECT_TYPES = [
  'user',
  'organization',
  'account',
  'bulk',
  'transfer',
  'schedule',
  'webhook',
] as const;
export type AuditSubjectType = (typeof AUDIT_SUBJECT_TYPES)[number];

/** A value as the log keeps it: JSON, with money as bigint (written as an exact JSON integer). */
export type AuditValue =
  null | boolean | number | bigint | string | readonly AuditValue[] | { readonly [key: string]: AuditValue };
export type AuditValues = Readonly<Record<string, AuditValue>>;

/** Who acted and on which request (for a request: auditContextOf, src/requests/requestScope.ts). */
export interface AuditContext {
  actor: { userId: number; email: string };
  requestId: string | null;
}

export interface AuditEntry extends Omit<AuditContext, 'actor'> {
  /** Null when no person acted: the system itself decided (a webhook endpoint disabled after days of failures). */
  actor: AuditContext['actor'] | null;
  kind: AuditKind;
  /** The organization the change concerns; null for one of no organization. */
  organizationId: number | null;
  subject: { type: AuditSubjectType; id: string | number };
  before?: AuditValues | null;
  after?: AuditValues | null;
}

export async function recordAudit(knex: Knex, entry: AuditEntry): Promise<void> {
  await knex('audit_log').insert({
    actor_user_id: entry.actor?.userId ?? null,
    actor_email: entry.actor?.email ?? null,
    organization_id: entry.organizationId,
    kind: entry.kind,
    subject_type: entry.subject.type,
    subject_id: String(entry.subject.id),
    before: jsonbOf(entry.before),
    after: jsonbOf(entry.after),
    request_id: entry.requestId,
  });
}

/**
 * JSON text for a jsonb column. JSON.stringify cannot write a bigint; Postgres keeps a JSON number exactly, so a
 * bigint is written as its digits, not through a float.
 */
function jsonbOf(values: AuditValues | null | undefined): string | null {
  if (values === null || values === undefined) return null;
  return writeJson(values);
}

function writeJson(value: AuditValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (isArray(value)) return `[${value.map(writeJson).join(',')}]`;
  return `{${Object.entries(value)
    .map(([key, member]) => `${JSON.stringify(key)}:${writeJson(member)}`)
    .join(',')}}`;
}

function isArray(value: AuditValue): value is readonly AuditValue[] {
  return Array.isArray(value);
}

export interface AuditFilters {
  actorUserId: number | null;
  organizationId: number | null;
  kind: AuditKind | null;
  subjectType: AuditSubjectType | null;
  subjectId: string | null;
  /** Calendar days (UTC), inclusive. */
  fromDay: string | null;
  toDay: string | null;
  limit: number;
  offset: number;
}

export interface AuditRecord {
  id: number;
  occurred_at: string;
  actor_user_id: number | null;
  actor_email: string | null;
  organization_id: number | null;
  kind: AuditKind;
  subject_type: AuditSubjectType;
  subject_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
}

interface AuditRow extends Omit<AuditRecord, 'id' | 'occurred_at'> {
  id: string;
  occurred_at: Date;
}

/** Newest first; ties (one transaction's rows share a time) broken by id. */
export async function listAudit(knex: Knex, filters: AuditFilters): Promise<{ total: number; results: AuditRecord[] }> {
  const matching = knex('audit_log');
  if (filters.actorUserId !== null) matching.where('actor_user_id', filters.actorUserId);
  if (filters.organizationId !== null) matching.where('organization_id', filters.organizationId);
  if (filters.kind !== null) matching.where('kind', filters.kind);
  if (filters.subjectType !== null) matching.where('subject_type', filters.subjectType);
  if (filters.subjectId !== null) matching.where('subject_id', filters.subjectId);
  if (filters.fromDay !== null)
    matching.where('occurred_at', '>=', knex.raw("?::date::timestamp at time zone 'UTC'", [filters.fromDay]));
  if (filters.toDay !== null) {
    matching.where('occurred_at', '<', knex.raw("(?::date + 1)::timestamp at time zone 'UTC'", [filters.toDay]));
  }
  const [counted] = await matching.clone().count<Array<{ count: string }>>('* as count');
  const rows = await matching
    .clone()
    .orderBy([
      { column: 'occurred_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(filters.limit)
    .offset(filters.offset)
    .select<AuditRow[]>('*');
  return { total: Number(counted?.count ?? 0), results: rows.map(toRecord) };
}

function toRecord(row: AuditRow): AuditRecord {
  return { ...row, id: Number(row.id), occurred_at: row.occurred_at.toISOString() };
}
