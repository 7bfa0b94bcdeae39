/**
 * Permissions named as the original service names them. Each is a Koa middleware placed on a route
 * after authentication; IsSameOrganization is a check used inside handlers, since it needs the resource.
 */
import { Context, Next } from 'koa';
import { AuthenticationError, MESSAGES, NotFoundError, PermissionDeniedError } from '../../errors';
import type { AuthenticatedUser } from '../context';

export function currentUser(ctx: Context): AuthenticatedUser {
  const user = ctx.state.user;
  if (!user) throw new AuthenticationError('not_authenticated', MESSAGES.notAuthenticated);
  return user;
}

/** May create and act on payouts. */
export async function IsGestionnaire(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (user.role !== 'GESTIONNAIRE') {
    throw new PermissionDeniedError('permission_denied', { fr: 'Seul un GESTIONNAIRE peut faire cela.', en: 'Only a GESTIONNAIRE may do this.' });
  }
  await next();
}

/** May read everything of the organization; writes nothing. Gestionnaires may read too. */
export async function CanReadOrganization(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (user.organizationId === null) throw new PermissionDeniedError('permission_denied', MESSAGES.noOrganization);
  await next();
}

/** Accounts: staff read every organization's; anyone else their own organization's (as CanReadOrganization). */
export async function CanReadAccounts(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (!user.isStaff && user.organizationId === null) throw new PermissionDeniedError('permission_denied', MESSAGES.noOrganization);
  await next();
}

export async function IsSuperviseur(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (user.role !== 'SUPERVISEUR') {
    throw new PermissionDeniedError('permission_denied', { fr: 'Seul un SUPERVISEUR peut faire cela.', en: 'Only a SUPERVISEUR may do this.' });
  }
  await next();
}

export async function IsAdminUser(ctx: Context, next: Next): Promise<void> {
  const user = currentUser(ctx);
  if (!user.isStaff) {
    throw new PermissionDeniedError('permission_denied', { fr: 'Seul un administrateur peut faire cela.', en: 'Only an administrator may do this.' });
  }
  await next();
}

/** A resource of another organization answers 404, never 403: its existence is not disclosed. */
export function assertSameOrganization(user: AuthenticatedUser, resourceOrganizationId: number | null | undefined): void {
  if (resourceOrganizationId === null || resourceOrganizationId === undefined || user.organizationId !== resourceOrganizationId) {
    throw new NotFoundError('not_found', MESSAGES.notFound);
  }
}
