/**
 * The organizations an admin picks from (user, account and audit forms): the first 200, the API's largest page,
 * which covers a fund's partners; past that, the forms would need a search.
 */
import { api, type Schemas } from '../../api/client';
import { dataOf } from '../../api/errors';
import { useAsync, type Async } from '../../useAsync';

export type Organization = Schemas['AdminOrganization'];

export function useOrganizations(): Async<Organization[]> {
  return useAsync(
    async () => dataOf(await api.GET('/api/admin/organizations', { params: { query: { limit: 200 } } })).results,
    [],
  );
}

export function organizationName(organizations: Organization[] | undefined, id: number | null): string | null {
  if (id === null) return null;
  return organizations?.find((organization) => organization.id === id)?.name ?? `#${id}`;
}
