/**
 * /api/admin/organizations: staff list, read, create and update the funds (name, active or suspended, maker-checker
 * approval and its deadline). Each change is audited; an organization is never deleted, only deactivated.
 */
import { z } from 'zod';
import {
  createOrganization,
  listOrganizations,
  readOrganization,
  updateOrganization,
} from '../../admin/organizationUseCases';
import { IsAdminUser } from '../http/guards';
import { queryFlag, queryInteger } from '../http/queryParams';
import { defineRoute } from '../http/routeDefinition';
import {
  AdminOrganization,
  AdminOrganizationPage,
  CreateOrganizationBody,
  OrganizationIdParams,
  UpdateOrganizationBody,
} from '../schemas/admin';

const tag = 'admin';
const staff = { kind: 'user', guards: [IsAdminUser] } as const;

const list = defineRoute({
  method: 'get',
  path: '/api/admin/organizations',
  operationId: 'adminListOrganizations',
  tag,
  summary: 'The organizations, newest first',
  access: staff,
  query: z.object({
    is_active: queryFlag().meta({ description: 'Only the active (true) or the deactivated (false) ones.' }),
    limit: queryInteger({ defaultValue: 50, min: 1, max: 200 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'A page of organizations.', schema: AdminOrganizationPage } },
  handler: async ({ scope, query }) => ({
    status: 200,
    body: await listOrganizations(scope, { isActive: query.is_active, limit: query.limit, offset: query.offset }),
  }),
});

const read = defineRoute({
  method: 'get',
  path: '/api/admin/organizations/:organization_id',
  operationId: 'adminGetOrganization',
  tag,
  summary: 'An organization',
  access: staff,
  params: OrganizationIdParams,
  answers: { 200: { description: 'The organization.', schema: AdminOrganization } },
  handler: async ({ scope, params }) => ({ status: 200, body: await readOrganization(scope, params.organization_id) }),
});

const create = defineRoute({
  method: 'post',
  path: '/api/admin/organizations',
  operationId: 'adminCreateOrganization',
  tag,
  summary: 'Create an organization',
  access: staff,
  body: { kind: 'json', schema: CreateOrganizationBody },
  answers: { 201: { description: 'Created.', schema: AdminOrganization } },
  errors: { 409: ['organization_code_taken'] },
  handler: async ({ scope, user, body }) => ({ status: 201, body: await createOrganization(scope, user, body) }),
});

const update = defineRoute({
  method: 'patch',
  path: '/api/admin/organizations/:organization_id',
  operationId: 'adminUpdateOrganization',
  tag,
  summary:
    "Change an organization's name, whether it is active, whether its bulks need approval, and the approval deadline",
  description:
    'Deactivating suspends the organization: its users are refused at once, its bulks are neither approved, retried nor ' +
    'paid, its schedules build nothing; reactivating restores all of it.',
  access: staff,
  params: OrganizationIdParams,
  body: { kind: 'json', schema: UpdateOrganizationBody },
  answers: { 200: { description: 'The organization as changed.', schema: AdminOrganization } },
  handler: async ({ scope, user, params, body }) => ({
    status: 200,
    body: await updateOrganization(scope, user, params.organization_id, body),
  }),
});

export const adminOrganizationRoutes = [list, read, create, update];
