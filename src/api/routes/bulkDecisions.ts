/**
 * /api/bulk-transfers/:bulk_id/{approve,reject,cancel,retry-failed}: acting on a bulk (src/payouts/bulkDecisionUseCases.ts).
 * Approve / reject: a GESTIONNAIRE or staff user other than its creator; cancel and retry: a GESTIONNAIRE.
 */
import {
  approveBulkDecision,
  cancelBulkRequest,
  rejectBulkDecision,
  retryFailedRequest,
} from '../../payouts/bulkDecisionUseCases';
import { IsGestionnaire, MayApprove } from '../http/guards';
import { defineRoute } from '../http/routeDefinition';
import { ApprovalDecision, BulkCancelled, BulkRetried, RejectRequest } from '../schemas/bulkTransfers';
import { BulkIdParams } from '../schemas/common';

const tag = 'bulk transfers';
const actors = { kind: 'user', guards: [IsGestionnaire] } as const;

const decisionErrors = {
  // decision_token_*: the workflow refused the decision's token (never expected from this API, which signs it).
  403: ['approver_not_allowed', 'organization_inactive', 'decision_token_required', 'decision_token_invalid'],
  409: ['not_awaiting_approval', 'approval_by_creator', 'approval_expired', 'bulk_closed'],
  503: ['temporal_unavailable', 'workflow_not_running', 'decision_failed'],
};

const approve = defineRoute({
  method: 'post',
  path: '/api/bulk-transfers/:bulk_id/approve',
  operationId: 'approveBulk',
  tag,
  summary: 'Approve a bulk awaiting approval (a user other than its creator)',
  access: { kind: 'user', guards: [MayApprove] },
  params: BulkIdParams,
  answers: { 200: { description: 'Approved: the payout goes on.', schema: ApprovalDecision } },
  errors: decisionErrors,
  handler: async ({ scope, user, params }) => ({
    status: 200,
    body: await approveBulkDecision(scope, user, params.bulk_id),
  }),
});

const reject = defineRoute({
  method: 'post',
  path: '/api/bulk-transfers/:bulk_id/reject',
  operationId: 'rejectBulk',
  tag,
  summary: 'Reject a bulk awaiting approval: it ends FAILED and its reservation is released',
  access: { kind: 'user', guards: [MayApprove] },
  params: BulkIdParams,
  body: { kind: 'json', schema: RejectRequest },
  answers: { 200: { description: 'Rejected.', schema: ApprovalDecision } },
  errors: decisionErrors,
  handler: async ({ scope, user, params, body }) => ({
    status: 200,
    body: await rejectBulkDecision(scope, user, params.bulk_id, body.reason),
  }),
});

const cancel = defineRoute({
  method: 'post',
  path: '/api/bulk-transfers/:bulk_id/cancel',
  operationId: 'cancelBulk',
  tag,
  summary: 'Cancel a bulk: its lines not yet sent are not sent, their money released',
  access: actors,
  params: BulkIdParams,
  answers: { 202: { description: 'Cancelled; lines already sent finish.', schema: BulkCancelled } },
  errors: { 403: ['organization_inactive'], 409: ['bulk_closed'], 503: ['temporal_unavailable'] },
  handler: async ({ scope, user, params }) => ({
    status: 202,
    body: await cancelBulkRequest(scope, user, params.bulk_id),
  }),
});

const retryFailed = defineRoute({
  method: 'post',
  path: '/api/bulk-transfers/:bulk_id/retry-failed',
  operationId: 'retryFailedTransfers',
  tag,
  summary: "Pay a bulk's retryable failed lines again, each as a new attempt",
  access: actors,
  params: BulkIdParams,
  answers: {
    202: {
      description:
        'Reserved again and being paid, or, in an organization that requires approval, awaiting a second user (AWAITING_APPROVAL).',
      schema: BulkRetried,
    },
  },
  errors: {
    403: ['organization_inactive'],
    409: ['bulk_in_progress', 'bulk_closed', 'nothing_to_retry', 'retry_after_second_user_decision'],
    422: ['insufficient_funds'],
    503: ['temporal_unavailable'],
  },
  handler: async ({ scope, user, params }) => ({
    status: 202,
    body: await retryFailedRequest(scope, user, params.bulk_id),
  }),
});

export const bulkDecisionRoutes = [approve, reject, cancel, retryFailed];
