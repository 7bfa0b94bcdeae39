/**
 * /api/admin/accounts: staff open payer accounts and record deposits. A deposit needs an Idempotency-Key: sent again
 * with the same key it is answered as the first time (200, `Idempotent-Replayed: true`) and recorded once.
 */
import { createAccount, recordDeposit } from '../../admin/accountAdministration';
import { auditContextOf } from '../http/auditContext';
import { IsAdminUser } from '../http/guards';
import { requiredIdempotencyKeyOf } from '../http/idempotencyKey';
import { defineRoute } from '../http/routeDefinition';
import { AccountIdParams, AdminAccount, CreateAccountBody, DepositBody, DepositRecorded } from '../schemas/admin';

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
  handler: async ({ ctx, user, body }) => ({ status: 201, body: await createAccount(auditContextOf(ctx, user), body) }),
});

const replayedHeader = { 'Idempotent-Replayed': { description: '`true` when this answers an earlier deposit with the same key.' } };

const deposit = defineRoute({
  method: 'post',
  path: '/api/admin/accounts/:account_id/deposits',
  operationId: 'adminRecordDeposit',
  tag,
  summary: 'Record money arrived on an account',
  description:
    'Header `Idempotency-Key` (required, at most 255 characters): the same key again answers the first deposit and records ' +
    'nothing; the same key for another amount or reference is refused (409). A deposit that would take the balance above ' +
    '2^53 - 1 is refused (422): amounts are exact JSON integers only below it.',
  access: staff,
  params: AccountIdParams,
  body: { kind: 'json', schema: DepositBody },
  answers: {
    201: { description: 'Recorded.', schema: DepositRecorded },
    200: { description: 'Recorded earlier with this key; nothing was added.', schema: DepositRecorded, headers: replayedHeader },
  },
  errors: { 400: ['idempotency_key_required', 'invalid_idempotency_key'], 409: ['idempotency_key_reused'], 422: ['balance_limit_exceeded'] },
  handler: async ({ ctx, user, params, body }) => {
    const idempotencyKey = requiredIdempotencyKeyOf(ctx);
    const outcome = await recordDeposit(auditContextOf(ctx, user), { accountId: params.account_id, ...body, idempotencyKey });
    const { entry } = outcome;
    const answer = {
      ...outcome.account,
      idempotency_key: idempotencyKey,
      id: Number(entry.id),
      kind: 'fund' as const,
      amount: BigInt(entry.amount),
      reference: entry.funding_reference,
      balance_after: BigInt(entry.balance_after),
      reserved_after: BigInt(entry.reserved_after),
      created_at: entry.created_at.toISOString(),
    };
    if (outcome.replayed) return { status: 200, body: answer, headers: { 'Idempotent-Replayed': 'true' } };
    return { status: 201, body: answer };
  },
});

export const adminAccountRoutes = [create, deposit];
