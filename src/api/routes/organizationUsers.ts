/**
 * /api/organization/users: an organization's users see their colleagues, read-only (a SUPERVISEUR knows who the
 * checkers are). Another organization's user is 404, as one that does not exist.
 */
import { z } from 'zod';
import { listMembers, readMember } from '../../admin/userReadUseCases';
import { USER_ROLES } from '../../models';
import { CanReadOrganization } from '../http/guards';
import { queryChoice, queryFlag, queryInteger } from '../http/queryParams';
import { defineRoute } from '../http/routeDefinition';
import { OrganizationMember, OrganizationMemberPage, UserIdParams } from '../schemas/admin';

const tag = 'organization';
const members = { kind: 'user', guards: [CanReadOrganization] } as const;

const list = defineRoute({
  method: 'get',
  path: '/api/organization/users',
  operationId: 'listOrganizationUsers',
  tag,
  summary: "Your organization's users, in creation order",
  access: members,
  query: z.object({
    role: queryChoice(USER_ROLES),
    is_active: queryFlag().meta({ description: 'Only the active (true) or the deactivated (false) users.' }),
    limit: queryInteger({ defaultValue: 50, min: 1, max: 200 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'A page of users.', schema: OrganizationMemberPage } },
  handler: async ({ scope, user, query }) => ({
    status: 200,
    body: await listMembers(scope, user.organizationId!, {
      role: query.role,
      isActive: query.is_active,
      limit: query.limit,
      offset: query.offset,
    }),
  }),
});

const read = defineRoute({
  method: 'get',
  path: '/api/organization/users/:user_id',
  operationId: 'getOrganizationUser',
  tag,
  summary: 'A user of your organization',
  access: members,
  params: UserIdParams,
  answers: { 200: { description: 'The user.', schema: OrganizationMember } },
  handler: async ({ scope, user, params }) => ({
    status: 200,
    body: await readMember(scope, user.organizationId!, params.user_id),
  }),
});

export const organizationUserRoutes = [list, read];
