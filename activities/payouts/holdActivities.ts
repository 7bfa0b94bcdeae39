/**
 * Decisions on lines held by the payee name check (src/payouts/store/holdStore.ts): a GESTIONNAIRE's release or
 * rejection, sent to the line's workflow as an update by the API (with its decision token); the hold's deadline; and the
 * bulk's backstop for holds whose line workflow is gone. Database only, each a guarded transaction.
 */
import { provenDecider } from '../../src/payouts/decisionTokenKeys';
import type { ActivityDependencies } from '../dependencies';
import type { HeldLineDecision } from '../../src/payouts/contract';
import { refusalsAsFailures } from '../refusals';
import { deliveryAnnouncer } from '../deliveryStarts';
import {
  decideHold,
  expireHold,
  expireOverdueHolds,
  type HoldDecision,
  type HoldOutcome,
} from '../../src/payouts/store/holdStore';

export function createHoldActivities(deps: ActivityDependencies) {
  const { db, settings } = deps;
  const announcing = deliveryAnnouncer(deps);

  /**
   * The deciding user is the one the decision's token proves. A refusal (a token missing or not for this line, not
   * on hold any more, a user who may not decide) comes back as the update's failure.
   */
  async function decideHeldLine(transferId: string, request: HeldLineDecision): Promise<HoldOutcome> {
    return refusalsAsFailures(async () => {
      const act = request.decision === 'release' ? 'releaseHold' : 'rejectHold';
      const decider = provenDecider(request.token, { act, target: transferId, keys: settings.decisionKeys });
      const decision: HoldDecision = {
        decision: request.decision,
        ...decider,
        ...(request.reason ? { reason: request.reason } : {}),
      };
      return announcing((deliveries) => decideHold(db, transferId, decision, deliveries));
    });
  }

  /** The public keys of decision tokens, for a held line's workflow to check the decisions sent to it. */
  async function decisionKeys(): Promise<string[]> {
    return [...(settings.decisionKeys ?? [])];
  }

  /** Null when the line was no longer held (decided just before the deadline). */
  async function expireHeldLine(transferId: string): Promise<HoldOutcome | null> {
    return announcing((deliveries) => expireHold(db, transferId, deliveries));
  }

  async function expireOverdueHeldLines(bulkId: string, graceMs: number): Promise<number[]> {
    return announcing((deliveries) => expireOverdueHolds(db, bulkId, graceMs, deliveries));
  }

  return { decideHeldLine, decisionKeys, expireHeldLine, expireOverdueHeldLines };
}
