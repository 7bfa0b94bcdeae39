/**
 * /api/admin/accounts: staff open payer accounts, audited. Deposits stay where the journal's routes are
 * (POST /api/accounts/:account_id/deposits, staff only, audited too).
 */
import { createAccount } from '../../admin/payerAccountUseCases';
import { IsAdminUser } from '../http/guards';
import { defineRoute } from '../http/routeDefinition';
import { AdminAccount, CreateAccountBody } from '../schemas/admin';

const tag = 'admin';
const staff = { kind: 'user', guards: [IsAdminUser] } as const;

const create = defineRoute({
  method: 'post',
  path: '/api/admin/accounts',
  operationId: 'adminCreateAccount',
  tag,
  summary: 'Open a payer account for an organization (empty: its money arrives by deposits)',
  access: staff,
  body: { kind: 'json', schema: CreateAccountBody },
  answers: { 201: { description: 'Opened.', schema: AdminAccount } },
  errors: { 409: ['account_id_taken'] },
  handler: async ({ scope, user, body }) => ({ status: 201, body: await createAccount(scope, user, body) }),
});

export const adminAccountRoutes = [create];
