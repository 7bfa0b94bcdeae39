/**
 * /api/admin/users: staff manage every organization's users. Each change is audited (src/admin/userUseCases.ts);
 * deactivating and resetting a password end the user's sessions at once.
 */
import { z } from 'zod';
import {
  createUser,
  creationMessage,
  deactivateUser,
  deliveryOf,
  passwordResetMessage,
  reactivateUser,
  resetPassword,
  type TemporaryPasswordOutcome,
  updateUser,
} from '../../admin/userUseCases';
import { listUsers, readUser } from '../../admin/userReadUseCases';
import { USER_ROLES } from '../../models';
import { IsAdminUser } from '../http/guards';
import { queryChoice, queryFlag, queryId, queryInteger } from '../http/queryParams';
import { defineRoute } from '../http/routeDefinition';
import {
  AdminUser,
  AdminUserPage,
  CreateUserRequest,
  PasswordReset,
  UpdateUserBody,
  UserCreated,
  UserIdParams,
} from '../schemas/admin';

const tag = 'admin';
const staff = { kind: 'user', guards: [IsAdminUser] } as const;

/** The create and reset answers: the user, the password (mailed too), where the mail went, and what to do. */
function temporaryPasswordAnswer<View>(outcome: TemporaryPasswordOutcome<View>, message: string) {
  const { user, temporaryPassword, delivery } = outcome;
  return {
    user,
    temporary_password: temporaryPassword,
    email_sent: delivery !== null,
    email_delivery: deliveryOf(delivery),
    message,
  };
}

const list = defineRoute({
  method: 'get',
  path: '/api/admin/users',
  operationId: 'adminListUsers',
  tag,
  summary: 'Users of every organization, in creation order',
  access: staff,
  query: z.object({
    organization_id: queryId().meta({ description: 'Only the users of this organization.' }),
    role: queryChoice(USER_ROLES),
    is_active: queryFlag().meta({ description: 'Only the active (true) or the deactivated (false) users.' }),
    limit: queryInteger({ defaultValue: 50, min: 1, max: 200 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'A page of users, with the total matching the filters.', schema: AdminUserPage } },
  handler: async ({ scope, query }) => ({
    status: 200,
    body: await listUsers(scope, {
      organizationId: query.organization_id,
      role: query.role,
      isActive: query.is_active,
      limit: query.limit,
      offset: query.offset,
    }),
  }),
});

const read = defineRoute({
  method: 'get',
  path: '/api/admin/users/:user_id',
  operationId: 'adminGetUser',
  tag,
  summary: 'A user',
  access: staff,
  params: UserIdParams,
  answers: { 200: { description: 'The user.', schema: AdminUser } },
  handler: async ({ scope, params }) => ({ status: 200, body: await readUser(scope, params.user_id) }),
});

const create = defineRoute({
  method: 'post',
  path: '/api/admin/users/create',
  operationId: 'createUser',
  tag,
  summary: 'Create a user with a temporary password, mailed to them, to change at first login',
  access: staff,
  body: { kind: 'json', schema: CreateUserRequest },
  answers: { 201: { description: 'Created; the temporary password is in the answer too.', schema: UserCreated } },
  errors: { 409: ['email_taken'] },
  handler: async ({ scope, user, body, language }) => {
    const outcome = await createUser(scope, user, {
      email: body.email,
      firstName: body.first_name,
      lastName: body.last_name,
      role: body.role,
      organizationId: body.organization_id ?? user.organizationId,
      phoneNumber: body.phone_number ?? null,
      isStaff: body.is_staff,
    });
    return {
      status: 201,
      body: temporaryPasswordAnswer(outcome, creationMessage(outcome.user.email, outcome.delivery)[language]),
    };
  },
});

const update = defineRoute({
  method: 'patch',
  path: '/api/admin/users/:user_id',
  operationId: 'adminUpdateUser',
  tag,
  summary: "Change a user's names, phone number or role",
  access: staff,
  params: UserIdParams,
  body: { kind: 'json', schema: UpdateUserBody },
  answers: { 200: { description: 'The user as changed.', schema: AdminUser } },
  handler: async ({ scope, user, params, body }) => ({
    status: 200,
    body: await updateUser(scope, user, params.user_id, body),
  }),
});

const deactivate = defineRoute({
  method: 'post',
  path: '/api/admin/users/:user_id/deactivate',
  operationId: 'adminDeactivateUser',
  tag,
  summary: 'Deactivate a user: every session ends at once, signing in is refused',
  description: 'An already deactivated user is answered as it is (nothing is recorded).',
  access: staff,
  params: UserIdParams,
  answers: { 200: { description: 'The user, deactivated.', schema: AdminUser } },
  errors: { 409: ['cannot_deactivate_self'] },
  handler: async ({ scope, user, params }) => ({
    status: 200,
    body: await deactivateUser(scope, user, params.user_id),
  }),
});

const reactivate = defineRoute({
  method: 'post',
  path: '/api/admin/users/:user_id/reactivate',
  operationId: 'adminReactivateUser',
  tag,
  summary: 'Reactivate a user: they may sign in again (the sessions ended by the deactivation stay ended)',
  access: staff,
  params: UserIdParams,
  answers: { 200: { description: 'The user, active.', schema: AdminUser } },
  handler: async ({ scope, user, params }) => ({
    status: 200,
    body: await reactivateUser(scope, user, params.user_id),
  }),
});

const resetUserPassword = defineRoute({
  method: 'post',
  path: '/api/admin/users/:user_id/reset-password',
  operationId: 'adminResetUserPassword',
  tag,
  summary: 'Give a user a new temporary password (mailed), to change at the next login; their sessions end',
  access: staff,
  params: UserIdParams,
  answers: { 200: { description: 'Reset; the temporary password is in the answer too.', schema: PasswordReset } },
  handler: async ({ scope, user, params, language }) => {
    const outcome = await resetPassword(scope, user, params.user_id);
    return {
      status: 200,
      body: temporaryPasswordAnswer(outcome, passwordResetMessage(outcome.user.email, outcome.delivery)[language]),
    };
  },
});

export const adminUserRoutes = [list, read, create, update, deactivate, reactivate, resetUserPassword];
