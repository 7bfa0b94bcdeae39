/**
 * /api/bulk-transfers/:bulk_id/lines/:line_number/{release,reject}: deciding a line held by the payee name check
 * (src/payouts/holdUseCases.ts). A GESTIONNAIRE or staff user of the organization, not the bulk's creator when the
 * organization requires approval.
 */
import { decideHeldLineRequest } from '../../payouts/holdUseCases';
import { MayDecideHolds } from '../http/guards';
import { defineRoute } from '../http/routeDefinition';
import { HoldDecided, RejectRequest } from '../schemas/bulkTransfers';
import { BulkLineParams } from '../schemas/common';

const tag = 'bulk transfers';
const access = { kind: 'user', guards: [MayDecideHolds] } as const;
const errors = {
  403: ['decider_not_allowed', 'decision_token_required', 'decision_token_invalid'],
  409: ['not_on_hold', 'decision_by_creator'],
  503: ['temporal_unavailable', 'workflow_not_running', 'decision_failed'],
};

const release = defineRoute({
  method: 'post',
  path: '/api/bulk-transfers/:bulk_id/lines/:line_number/release',
  operationId: 'releaseHeldLine',
  tag,
  summary: "Release a held line: the wallet's owner is accepted, the line is found again, quoted and paid",
  access,
  params: BulkLineParams,
  answers: { 200: { description: 'Released.', schema: HoldDecided } },
  errors,
  handler: async ({ scope, user, params }) => ({
    status: 200,
    body: await decideHeldLineRequest(
      scope,
      user,
      { bulkId: params.bulk_id, lineNumber: params.line_number },
      { release: true },
    ),
  }),
});

const reject = defineRoute({
  method: 'post',
  path: '/api/bulk-transfers/:bulk_id/lines/:line_number/reject',
  operationId: 'rejectHeldLine',
  tag,
  summary: 'Reject a held line: it fails `name_mismatch_rejected` and its money is released',
  access,
  params: BulkLineParams,
  body: { kind: 'json', schema: RejectRequest },
  answers: { 200: { description: 'Rejected.', schema: HoldDecided } },
  errors,
  handler: async ({ scope, user, params, body }) => ({
    status: 200,
    body: await decideHeldLineRequest(
      scope,
      user,
      { bulkId: params.bulk_id, lineNumber: params.line_number },
      { release: false, reason: body.reason },
    ),
  }),
});

export const heldLineRoutes = [release, reject];
