/**
 * The organizations an admin picks from (user, account and audit forms): all of them, read a page (the API's
 * largest, 200) at a time. A fund has a few partners; a list of thousands would want a search instead.
 */
import { api, type Schemas } from '../../api/client';
import { dataOf } from '../../api/errors';
import { useAsync, type Async } from '../../useAsync';

export type Organization = Schemas['AdminOrganization'];

export function useOrganizations(): Async<Organization[]> {
  return useAsync(allOrganizations, []);
}

const PAGE = 200;

async function allOrganizations(): Promise<Organization[]> {
  const organizations: Organization[] = [];
  for (;;) {
    const page = dataOf(
      await api.GET('/api/admin/organizations', { params: { query: { limit: PAGE, offset: organizations.length } } }),
    );
    organizations.push(...page.results);
    if (page.results.length === 0 || organizations.length >= page.total) return organizations;
  }
}

export function organizationName(organizations: Organization[] | undefined, id: number | null): string | null {
  if (id === null) return null;
  return organizations?.find((organization) => organization.id === id)?.name ?? `#${id}`;
}
