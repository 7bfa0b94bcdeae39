/**
 * Releasing or rejecting a line held by the payee name check, from the API: the line is found in the caller's
 * organization and must be ON_HOLD; the decision is then sent to the line's workflow as a Temporal update with a
 * decision token signed for the user, whose activity checks the decider again and records the decision and its
 * audit entry in one transaction.
 */
import type { Knex } from 'knex';
import { PAYOUT_ENGINE, withTemporal } from '../clients/temporalCall';
import { ConflictError, NotFoundError } from '../errors';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import type { RequestScope } from '../requests/requestScope';
import type { TransferStatus } from './rules/transferStates';
import { decideLineHold } from './payoutClient';
import { readableBulk } from './bulkReadUseCases';

export interface HoldDecided {
  bulkTransferId: string;
  transfer_id: string;
  line_number: number;
  status: TransferStatus;
  failure_code: string | null;
}

export async function decideHeldLineRequest(
  scope: RequestScope,
  user: AuthenticatedUser,
  target: { bulkId: string; lineNumber: number },
  decision: { release: boolean; reason?: string },
): Promise<HoldDecided> {
  const bulk = await readableBulk(scope, user, target.bulkId);
  const line = await readLine(scope.db, bulk.bulk_id, target.lineNumber);
  if (line.status !== 'ON_HOLD') {
    throw new ConflictError(
      'not_on_hold',
      {
        fr: `La ligne ${line.line_number} n'est pas en attente de décision (elle est ${line.status}).`,
        en: `Line ${line.line_number} is not on hold (it is ${line.status}).`,
      },
      { status: line.status },
    );
  }
  await withTemporal(scope.temporal, scope.log, PAYOUT_ENGINE, (temporal) =>
    decideLineHold(
      temporal,
      // Signs the decision's token (src/payouts/decisionTokenKeys.ts).
      scope.config.auth,
      { bulkId: bulk.bulk_id, lineNumber: line.line_number, attempt: line.attempt, transferId: line.transfer_id },
      {
        release: decision.release,
        by: { userId: user.id, requestId: scope.requestId },
        ...(decision.reason ? { reason: decision.reason } : {}),
      },
    ),
  );
  scope.log.info(
    { bulkId: bulk.bulk_id, lineNumber: line.line_number, userId: user.id, release: decision.release },
    'held line decided',
  );
  const decided = await readLine(scope.db, bulk.bulk_id, line.line_number);
  return {
    bulkTransferId: bulk.bulk_id,
    transfer_id: decided.transfer_id,
    line_number: decided.line_number,
    status: decided.status,
    failure_code: decided.failure_code,
  };
}

async function readLine(knex: Knex, bulkId: string, lineNumber: number) {
  const line = await knex('individual_transfers').where({ bulk_id: bulkId, line_number: lineNumber }).first<
    | {
        transfer_id: string;
        line_number: number;
        attempt: number;
        status: TransferStatus;
        failure_code: string | null;
      }
    | undefined
  >('transfer_id', 'line_number', 'attempt', 'status', 'failure_code');
  if (!line) throw new NotFoundError('not_found', { fr: 'Ligne introuvable.', en: 'Line not found.' });
  return line;
}
