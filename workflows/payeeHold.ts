/**
 * A line held by the payee name check waits here for a decision: a release or a rejection (updates on the line's
 * workflow, from the API or an operator in the Web UI), its deadline, or its bulk's cancel. Validators answer from
 * this state only; the decision itself is one guarded activity (src/payouts/payeeHolds.ts).
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { PayoutActivities } from '../activities';
import { msUntil } from '../src/domain/bulkDecisionRules';
import {
  bulkCancelledSignal,
  type HoldDecisionOutcome,
  type HoldDecisionRequest,
  rejectHoldUpdate,
  releaseHoldUpdate,
} from './definitions';
import { asOwnRefusal, refuse } from './refusals';

type HoldActivities = Pick<PayoutActivities, 'decideHeldLine' | 'expireHeldLine'>;

export class HoldDesk {
  /** Set once the line has been held: it then reports its end to its bulk by signal. */
  wasHeld = false;
  private waiting = false;
  private outcome: HoldDecisionOutcome | null = null;
  private withdrawn = false;
  private decisionsRunning = 0;

  constructor(
    private readonly transferId: string,
    private readonly activities: HoldActivities,
  ) {
    setHandler(releaseHoldUpdate, (request) => this.decide('release', request), {
      validator: (request: HoldDecisionRequest) => this.validate(request),
    });
    setHandler(rejectHoldUpdate, (request) => this.decide('reject', request), {
      validator: (request: HoldDecisionRequest) => {
        this.validate(request);
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
    const remaining = msUntil(new Date(holdDeadline), new Date());
    const woken = remaining > 0 && (await condition(() => this.outcome !== null || this.withdrawn, remaining));
    // A decision being recorded is finished before the deadline is looked at: both are guarded, one wins.
    await condition(() => this.decisionsRunning === 0);
    this.waiting = false;
    if (this.outcome !== null) return this.outcome;
    if (woken) return null; // withdrawn by a cancel
    return this.activities.expireHeldLine(this.transferId);
  }

  private validate(request: HoldDecisionRequest): void {
    if (!this.waiting || this.outcome !== null || this.withdrawn) {
      refuse('not_on_hold', {
        fr: "Cette ligne n'est pas en attente de décision.",
        en: 'This line is not on hold.',
      });
    }
    if (!Number.isInteger(request?.userId)) {
      refuse('validation_error', {
        fr: 'La décision doit indiquer qui décide : {"userId": <id>}.',
        en: 'The decision needs the deciding user: {"userId": <id>}.',
      });
    }
  }

  private async decide(decision: 'release' | 'reject', request: HoldDecisionRequest): Promise<HoldDecisionOutcome> {
    this.decisionsRunning++;
    try {
      const outcome = await asOwnRefusal(() =>
        this.activities.decideHeldLine(this.transferId, {
          decision,
          userId: request.userId,
          ...(request.reason ? { reason: request.reason } : {}),
          requestId: request.requestId ?? null,
        }),
      );
      this.outcome = outcome;
      return outcome;
    } finally {
      this.decisionsRunning--;
    }
  }
}
