import { NotFoundError } from '../errors';

/** Who is acting, as far as organization scoping needs to know. */
export interface OrganizationMember {
  organizationId: number | null;
}

export function notFound(): NotFoundError {
  return new NotFoundError('not_found', { fr: 'Introuvable.', en: 'Not found.' });
}

/** A resource of another organization answers 404, never 403: its existence is not disclosed. */
export function assertSameOrganization(
  user: OrganizationMember,
  resourceOrganizationId: number | null | undefined,
): void {
  if (resourceOrganizationId === null || resourceOrganizationId === undefined) throw notFound();
  if (user.organizationId !== resourceOrganizationId) throw notFound();
}
