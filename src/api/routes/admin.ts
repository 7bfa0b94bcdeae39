/** /api/admin/users/create: staff create users (src/admin/userCreation.ts). */
import { createUserByAdmin } from '../../admin/userCreation';
import { textIn } from '../../i18n/message';
import { IsAdminUser } from '../http/guards';
import { defineRoute } from '../http/routeDefinition';
import { CreateUserRequest, UserCreated } from '../schemas/admin';

const createUser = defineRoute({
  method: 'post',
  path: '/api/admin/users/create',
  operationId: 'createUser',
  tag: 'admin',
  summary: 'Create a user with a temporary password, sent by email',
  access: { kind: 'user', guards: [IsAdminUser] },
  body: { kind: 'json', schema: CreateUserRequest },
  answers: { 201: { description: 'Created; the temporary password must be changed at first login.', schema: UserCreated } },
  errors: { 409: ['email_taken'] },
  handler: async ({ ctx, deps, user, body, language }) => {
    const created = await createUserByAdmin({ config: deps.config, log: ctx.log }, user, body);
    return { status: 201, body: { ...created, message: textIn(created.message, language) } };
  },
});

export const adminRoutes = [createUser];
