/**
 * The funds (organizations) as staff manage them: list, read, create, update. An organization is never deleted:
 * deactivating it (is_active = false) suspends it, see src/organizations/status.ts. Its code is fixed at creation:
 * the pension schedule's id is made from it (src/pensions/scheduleClient.ts).
 */
import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import { type AuditContext, type AuditValues, recordAudit } from '../audit/auditLog';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import { ConflictError } from '../errors';
import { Organization } from '../models';
import { notFound } from '../organizations/organizationScope';
import { auditContextOf, type RequestScope } from '../requests/requestScope';
import type { Page } from './page';

export interface OrganizationView {
  id: number;
  code: string;
  name: string;
  is_active: boolean;
  requires_approval: boolean;
  /** Null: the platform's BULK_APPROVAL_TIMEOUT_HOURS. */
  approval_timeout_hours: number | null;
  created_at: string;
}

export interface OrganizationFilters {
  isActive: boolean | null;
  limit: number;
  offset: number;
}

export async function listOrganizations(
  scope: RequestScope,
  filters: OrganizationFilters,
): Promise<Page<OrganizationView>> {
  const query = Organization.query(scope.db);
  if (filters.isActive !== null) query.where('is_active', filters.isActive);
  const total = await query.clone().resultSize();
  // Newest first: the one just created is on the first page, however many there are.
  const rows = await query.clone().orderBy('id', 'desc').limit(filters.limit).offset(filters.offset);
  return { total, count: rows.length, limit: filters.limit, offset: filters.offset, results: rows.map(toView) };
}

export async function readOrganization(scope: RequestScope, organizationId: number): Promise<OrganizationView> {
  const organization = await Organization.query(scope.db).findById(organizationId);
  if (!organization) throw notFound();
  return toView(organization);
}

export interface NewOrganization {
  code: string;
  name: string;
  is_active: boolean;
  requires_approval: boolean;
  approval_timeout_hours: number | null;
}

export async function createOrganization(
  scope: RequestScope,
  user: AuthenticatedUser,
  input: NewOrganization,
): Promise<OrganizationView> {
  const audit = auditContextOf(scope, user);
  try {
    return await scope.db.transaction(async (trx) => {
      const organization = await Organization.query(trx).insertAndFetch({ ...input });
      const view = toView(organization);
      await recordOrganizationChange(trx, audit, 'organization.created', organization.id, null, settingsOf(view));
      return view;
    });
  } catch (error) {
    // Two staff creating the same code at once: the unique index decides.
    if (error instanceof UniqueViolationError) throw codeTaken(input.code);
    throw error;
  }
}

export type OrganizationChanges = Partial<
  Pick<NewOrganization, 'name' | 'is_active' | 'requires_approval' | 'approval_timeout_hours'>
>;

/** Only what differs is written and audited. */
export async function updateOrganization(
  scope: RequestScope,
  user: AuthenticatedUser,
  organizationId: number,
  changes: OrganizationChanges,
): Promise<OrganizationView> {
  const audit = auditContextOf(scope, user);
  return scope.db.transaction(async (trx) => {
    const current = await Organization.query(trx).findById(organizationId).forUpdate();
    if (!current) throw notFound();
    const before: Record<string, AuditValues[string]> = {};
    const after: Record<string, AuditValues[string]> = {};
    for (const [field, wanted] of Object.entries(changes) as Array<[keyof OrganizationChanges, unknown]>) {
      if (wanted === undefined || wanted === current[field]) continue;
      before[field] = current[field];
      after[field] = wanted as AuditValues[string];
    }
    if (Object.keys(after).length === 0) return toView(current);
    const updated = await Organization.query(trx).patchAndFetchById(organizationId, after);
    await recordOrganizationChange(trx, audit, 'organization.updated', organizationId, before, after);
    return toView(updated);
  });
}

function codeTaken(code: string): ConflictError {
  const message = {
    fr: `Une organisation a déjà le code ${code}.`,
    en: `An organization already has the code ${code}.`,
  };
  return new ConflictError('organization_code_taken', message, { code: [message] });
}

function settingsOf(view: OrganizationView): AuditValues {
  const { id: _id, created_at: _createdAt, ...settings } = view;
  return settings;
}

async function recordOrganizationChange(
  trx: Knex.Transaction,
  audit: AuditContext,
  kind: 'organization.created' | 'organization.updated',
  organizationId: number,
  before: AuditValues | null,
  after: AuditValues,
): Promise<void> {
  await recordAudit(trx, {
    ...audit,
    kind,
    organizationId,
    subject: { type: 'organization', id: organizationId },
    before,
    after,
  });
}

function toView(organization: Organization): OrganizationView {
  return {
    id: organization.id,
    code: organization.code,
    name: organization.name,
    is_active: organization.is_active,
    requires_approval: organization.requires_approval,
    approval_timeout_hours: organization.approval_timeout_hours ?? null,
    created_at: organization.created_at.toISOString(),
  };
}
