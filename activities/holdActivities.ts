/**
 * Decisions on lines held by the payee name check (src/payouts/payeeHolds.ts): a GESTIONNAIRE's release or
 * rejection, sent to the line's workflow as an update by the API or an operator; the hold's deadline; and the
 * bulk's backstop for holds whose line workflow is gone. Database only, each a guarded transaction.
 */
import type { ActivityDependencies } from './dependencies';
import { refusalsAsFailures } from './refusals';
import {
  decideHold,
  expireHold,
  expireOverdueHolds,
  type HoldDecision,
  type HoldOutcome,
} from '../src/payouts/payeeHolds';

export function createHoldActivities(deps: ActivityDependencies) {
  const { db } = deps;

  /** A refusal (not on hold any more, a user who may not decide) comes back as the update's failure. */
  async function decideHeldLine(transferId: string, decision: HoldDecision): Promise<HoldOutcome> {
    return refusalsAsFailures(() => decideHold(db, transferId, decision));
  }

  /** Null when the line was no longer held (decided just before the deadline). */
  async function expireHeldLine(transferId: string): Promise<HoldOutcome | null> {
    return expireHold(db, transferId);
  }

  async function expireOverdueHeldLines(bulkId: string, graceMs: number): Promise<number[]> {
    return expireOverdueHolds(db, bulkId, graceMs);
  }

  return { decideHeldLine, expireHeldLine, expireOverdueHeldLines };
}
