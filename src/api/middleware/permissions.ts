/**
 * Permissions named as the original service names them. Each is a Koa middleware placed on a route
 * after authentication; IsSameOrganization is a check used inside handlers, since it needs the resource.
 */
import { Context, Next } from 'koa';
import { AuthenticationError, NotFoundError, PermissionDeniedError } from '../../errors';
import type { AuthenticatedUser } from '../context';

export function currentUser(ctx: Context): AuthenticatedUser {
  const user = ctx.state.user;
  if (!user) throw new AuthenticationError();
  return user;
}

/** May create and act on payouts. */
export async function IsGestionnaire(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (user.role !== 'GESTIONNAIRE') throw new PermissionDeniedError('Only a GESTIONNAIRE may do this.');
  await next();
}

/** May read everything of the organization; writes nothing. Gestionnaires may read too. */
export async function CanReadOrganization(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (user.organizationId === null) throw new PermissionDeniedError('Your account belongs to no organization.');
  await next();
}

/** Accounts: staff read every organization's; anyone else their own organization's (as CanReadOrganization). */
export async function CanReadAccounts(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (!user.isStaff && user.organizationId === null) throw new PermissionDeniedError('Your account belongs to no organization.');
  await next();
}

export async function IsSuperviseur(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (user.role !== 'SUPERVISEUR') throw new PermissionDeniedError('Only a SUPERVISEUR may do this.');
  await next();
}

export async function IsAdminUser(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (!user.isStaff) throw new PermissionDeniedError('Only an administrator may do this.');
  await next();
}

/** A resource of another organization answers 404, never 403: its existence is not disclosed. */
export function assertSameOrganization(user: AuthenticatedUser, resourceOrganizationId: number | null | undefined): void {
  if (resourceOrganizationId === null || resourceOrganizationId === undefined) throw new NotFoundError();
  if (user.organizationId !== resourceOrganizationId) throw new NotFoundError();
}
