/**
 * Users as the admin side reads them (staff: every organization's, with the account's state), and as an
 * organization's own users read their colleagues (read-only, fewer fields: who the checkers are).
 */
import type { Knex } from 'knex';
import type { userProfile } from '../auth/userShapes';
import type { UserRole } from '../models';
import { notFound } from '../organizations/organizationScope';
import type { RequestScope } from '../requests/requestScope';
import type { Page } from './page';

export interface AdminUserView {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  role: UserRole;
  is_staff: boolean;
  is_active: boolean;
  phone_number: string | null;
  must_change_password: boolean;
  organization: { id: number; code: string; name: string } | null;
  last_login: string | null;
  created_at: string;
}

/** The user as /api/auth/profile shows it (the seed's shape of a created user). */
export type ProfileView = ReturnType<typeof userProfile>;

export interface MemberView {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  role: UserRole;
  is_active: boolean;
}

export interface UserFilters {
  organizationId: number | null;
  role: UserRole | null;
  isActive: boolean | null;
  limit: number;
  offset: number;
}

interface UserRow {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  role: UserRole;
  is_staff: boolean;
  is_active: boolean;
  phone_number: string | null;
  must_change_password: boolean;
  organization_id: number | null;
  organization_code: string | null;
  organization_name: string | null;
  last_login: Date | null;
  created_at: Date;
}

const USER_COLUMNS = [
  'u.id',
  'u.email',
  'u.first_name',
  'u.last_name',
  'u.role',
  'u.is_staff',
  'u.is_active',
  'u.phone_number',
  'u.must_change_password',
  'u.organization_id',
  'o.code as organization_code',
  'o.name as organization_name',
  'u.last_login',
  'u.created_at',
];

function usersQuery(knex: Knex): Knex.QueryBuilder {
  return knex('users as u').leftJoin('organizations as o', 'o.id', 'u.organization_id');
}

function filtered(knex: Knex, filters: Omit<UserFilters, 'limit' | 'offset'>): Knex.QueryBuilder {
  const query = usersQuery(knex);
  if (filters.organizationId !== null) query.where('u.organization_id', filters.organizationId);
  if (filters.role !== null) query.where('u.role', filters.role);
  if (filters.isActive !== null) query.where('u.is_active', filters.isActive);
  return query;
}

async function pageOf<T>(
  query: Knex.QueryBuilder,
  filters: UserFilters,
  toView: (row: UserRow) => T,
): Promise<Page<T>> {
  const [counted] = await query.clone().count<Array<{ count: string }>>('* as count');
  const rows = await query
    .clone()
    .orderBy('u.id')
    .limit(filters.limit)
    .offset(filters.offset)
    .select<UserRow[]>(USER_COLUMNS);
  return {
    total: Number(counted?.count ?? 0),
    count: rows.length,
    limit: filters.limit,
    offset: filters.offset,
    results: rows.map(toView),
  };
}

/** Staff: every user matching the filters, in creation order. */
export async function listUsers(scope: RequestScope, filters: UserFilters): Promise<Page<AdminUserView>> {
  return pageOf(filtered(scope.db, filters), filters, toAdminView);
}

/** 404 when there is no such user. `scope.db` may be a transaction, to read what it changed. */
export async function readUser(scope: Pick<RequestScope, 'db'>, userId: number): Promise<AdminUserView> {
  const row = await usersQuery(scope.db).where('u.id', userId).first<UserRow | undefined>(USER_COLUMNS);
  if (!row) throw notFound();
  return toAdminView(row);
}

/** The organization's users (never another's, whatever the filters say). */
export async function listMembers(
  scope: RequestScope,
  organizationId: number,
  filters: Omit<UserFilters, 'organizationId'>,
): Promise<Page<MemberView>> {
  const all = { ...filters, organizationId };
  return pageOf(filtered(scope.db, all), all, toMemberView);
}

/** A user of the organization; another organization's user is 404, as one that does not exist. */
export async function readMember(scope: RequestScope, organizationId: number, userId: number): Promise<MemberView> {
  const row = await usersQuery(scope.db)
    .where({ 'u.id': userId, 'u.organization_id': organizationId })
    .first<UserRow | undefined>(USER_COLUMNS);
  if (!row) throw notFound();
  return toMemberView(row);
}

function toAdminView(row: UserRow): AdminUserView {
  return {
    id: row.id,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    role: row.role,
    is_staff: row.is_staff,
    is_active: row.is_active,
    phone_number: row.phone_number,
    must_change_password: row.must_change_password,
    organization:
      row.organization_id === null
        ? null
        : { id: row.organization_id, code: row.organization_code!, name: row.organization_name! },
    last_login: row.last_login?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

function toMemberView(row: UserRow): MemberView {
  return {
    id: row.id,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    role: row.role,
    is_active: row.is_active,
  };
}
