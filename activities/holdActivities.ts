/**
 * Decisions on lines held by the payee name check (src/payouts/payeeHolds.ts): a GESTIONNAIRE's release or
 * rejection, sent to the line's workflow as an update by the API or an operator; the hold's deadline; and the
 * bulk's backstop for holds whose line workflow is gone. Database only, each a guarded transaction.
 */
import type { ActivityDependencies } from './dependencies';
import { refusalsAsFailures } from './refusals';
import { webhookDeliveryStarter } from './webhookActivities';
import type { RecordedDeliveries } from '../src/webhooks/webhookEvents';
import {
  decideHold,
  expireHold,
  expireOverdueHolds,
  type HoldDecision,
  type HoldOutcome,
} from '../src/payouts/payeeHolds';

export function createHoldActivities(deps: ActivityDependencies) {
  const { db } = deps;
  const startDeliveries = webhookDeliveryStarter(deps);

  /** Runs a decision, then starts the webhook deliveries its transaction recorded. */
  async function announcing<T>(decide: (deliveries: RecordedDeliveries) => Promise<T>): Promise<T> {
    const deliveries: RecordedDeliveries = [];
    const result = await decide(deliveries);
    await startDeliveries(deliveries);
    return result;
  }

  /** A refusal (not on hold any more, a user who may not decide) comes back as the update's failure. */
  async function decideHeldLine(transferId: string, decision: HoldDecision): Promise<HoldOutcome> {
    return refusalsAsFailures(() => announcing((deliveries) => decideHold(db, transferId, decision, deliveries)));
  }

  /** Null when the line was no longer held (decided just before the deadline). */
  async function expireHeldLine(transferId: string): Promise<HoldOutcome | null> {
    return announcing((deliveries) => expireHold(db, transferId, deliveries));
  }

  async function expireOverdueHeldLines(bulkId: string, graceMs: number): Promise<number[]> {
    return announcing((deliveries) => expireOverdueHolds(db, bulkId, graceMs, deliveries));
  }

  return { decideHeldLine, expireHeldLine, expireOverdueHeldLines };
}
