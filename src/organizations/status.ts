/**
 * Whether an organization is active (organizations.is_active, set by SQL for now). A deactivated organization is
 * suspended, not deleted: its users cannot sign in or act, its schedules build no bulk, its bulks are neither
 * approved, retried nor swept into payment; setting it active again restores all of it, since nothing was
 * revoked or cancelled on the way. The one refusal code is `organization_inactive`; its HTTP status depends on
 * where it is met (401 at authentication, 403 when acting on a bulk), so each side builds its typed error here.
 */
import type { Knex } from 'knex';
import { AuthenticationError, PermissionDeniedError } from '../errors';

const ORGANIZATION_INACTIVE = 'organization_inactive';

const ACCOUNT_ORGANIZATION_INACTIVE = {
  fr: "L'organisation de ce compte est désactivée.",
  en: "This account's organization is deactivated.",
};

/**
 * True when the organization exists and is active. A user of no organization (platform staff) has none that could
 * be deactivated: true. `forShare` holds the row until the transaction ends, so a deactivation committed meanwhile
 * waits for the action that saw the organization active (and the other way round).
 */
export async function isOrganizationActive(
  knex: Knex,
  organizationId: number | null,
  options: { forShare?: boolean } = {},
): Promise<boolean> {
  if (organizationId === null) return true;
  const query = knex('organizations').where('id', organizationId);
  if (options.forShare) query.forShare();
  const row = await query.first<{ is_active: boolean } | undefined>('is_active');
  return row?.is_active === true;
}

/** At sign-in, refresh and on every authenticated request. */
export function organizationInactiveAuthError(): AuthenticationError {
  return new AuthenticationError(ORGANIZATION_INACTIVE, ACCOUNT_ORGANIZATION_INACTIVE);
}

/** When acting on one of its bulks (approve, retry-failed), whoever asks: the API or the Web UI / CLI. */
export function organizationInactiveRefusal(): PermissionDeniedError {
  return new PermissionDeniedError(ORGANIZATION_INACTIVE, {
    fr: "L'organisation de ce lot est désactivée.",
    en: "The bulk's organization is deactivated.",
  });
}
