/**
 * A line held by the payee name check waits here for a decision: a release or a rejection (updates on the line's
 * workflow, sent by the API with the decision token it signed for the deciding user), its deadline, or its bulk's
 * cancel. Validators answer from this state only; the decision itself is one guarded activity
 * (src/payouts/store/holdStore.ts), which records it under the user the token proves.
 */
import { condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { PayoutActivities } from '../../activities/payouts';
import { msUntil } from '../../src/payouts/rules/bulkDecisionRules';
import {
  bulkCancelledSignal,
  type HoldDecisionOutcome,
  type HoldDecisionRequest,
  rejectHoldUpdate,
  releaseHoldUpdate,
  type HeldLineDecision,
} from '../../src/payouts/contract';
import { decisionTokenRefusalMessage } from '../../src/payouts/rules/decisionTokens';
import { decidingUser } from './deciders';
import { asDecision, refuse } from '../refusals';

type HoldActivities = Pick<PayoutActivities, 'decisionKeys' | 'expireHeldLine'>;

/** A decision's activity: a few attempts, then the update fails `decision_failed` (see workflows/refusals.ts). */
const decisions = proxyActivities<Pick<PayoutActivities, 'decideHeldLine'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/**
 * Holds begun since this patch fetch the decision tokens' public keys as they begin, so the validators verify each
 * token's signature; holds begun before verify the rest of the token, and the decision's activity its signature.
 */
const HOLD_DECISION_KEYS_PATCH = 'hold-decision-keys';

export class HoldDesk {
  /** Set once the line has been held: it then reports its end to its bulk by signal. */
  wasHeld = false;
  private waiting = false;
  private outcome: HoldDecisionOutcome | null = null;
  private withdrawn = false;
  private decisionsRunning = 0;
  private decisionKeys: string[] | null = null;
  /**
   * Tokens of the decisions taken (rebuilt on replay by the handler): a token read from this workflow's history
   * cannot release the line again should it be held again within the token's lifetime.
   */
  private readonly tokensUsed = new Set<string>();

  constructor(
    private readonly transferId: string,
    private readonly activities: HoldActivities,
  ) {
    setHandler(releaseHoldUpdate, (request) => this.decide('release', request), {
      validator: (request: HoldDecisionRequest) => this.validate('releaseHold', request),
    });
    setHandler(rejectHoldUpdate, (request) => this.decide('reject', request), {
      validator: (request: HoldDecisionRequest) => {
        this.validate('rejectHold', request);
        if (typeof request.reason !== 'string' || request.reason.trim() === '') {
          refuse('validation_error', {
            fr: 'Un rejet doit être motivé.',
            en: 'A rejection needs a reason.',
          });
        }
      },
    });
    setHandler(bulkCancelledSignal, () => {
      this.withdrawn = true;
    });
  }

  /**
   * Until a decision, the deadline (the line then fails as a rejection does) or the bulk's cancel. Null when the
   * line is no longer held for another reason (a cancel failed it): the caller reads where it stands.
   */
  async awaitDecision(holdDeadline: string): Promise<HoldDecisionOutcome | null> {
    this.wasHeld = true;
    this.waiting = true;
    this.outcome = null;
    this.withdrawn = false;
    if (this.decisionKeys === null && patched(HOLD_DECISION_KEYS_PATCH)) {
      this.decisionKeys = await this.activities.decisionKeys();
    }
    const remaining = msUntil(new Date(holdDeadline), new Date());
    const woken = remaining > 0 && (await condition(() => this.outcome !== null || this.withdrawn, remaining));
    // A decision being recorded is finished before the deadline is looked at: both are guarded, one wins.
    await condition(() => this.decisionsRunning === 0);
    this.waiting = false;
    if (this.outcome !== null) return this.outcome;
    if (woken) return null; // withdrawn by a cancel
    return this.activities.expireHeldLine(this.transferId);
  }

  private validate(act: 'releaseHold' | 'rejectHold', request: HoldDecisionRequest): void {
    if (!this.waiting || this.outcome !== null || this.withdrawn) {
      refuse('not_on_hold', {
        fr: "Cette ligne n'est pas en attente de décision.",
        en: 'This line is not on hold.',
      });
    }
    decidingUser(request, { act, target: this.transferId, keys: this.decisionKeys, fields: ['token', 'reason'] });
    if (this.tokensUsed.has(request.token)) refuse('decision_token_invalid', decisionTokenRefusalMessage('used'));
  }

  private async decide(decision: 'release' | 'reject', request: HoldDecisionRequest): Promise<HoldDecisionOutcome> {
    this.decisionsRunning++;
    try {
      if (typeof request.token === 'string') this.tokensUsed.add(request.token);
      const reason = request.reason ? { reason: request.reason } : {};
      // Decisions accepted before tokens existed carried the user and request ids: they replay as they ran.
      const { userId, requestId } = request as unknown as { userId?: number; requestId?: string | null };
      const input: HeldLineDecision =
        typeof request.token === 'string'
          ? { decision, token: request.token, ...reason }
          : ({ decision, userId, ...reason, requestId: requestId ?? null } as unknown as HeldLineDecision);
      const outcome = await asDecision(() => decisions.decideHeldLine(this.transferId, input));
      this.outcome = outcome;
      return outcome;
    } finally {
      this.decisionsRunning--;
    }
  }
}
