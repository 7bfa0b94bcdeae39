/**
 * Pays a bulk: one child workflow per line, at most `concurrency` at a time (a sliding window), lines read
 * from the database a page at a time by line number. Each run awaits the results of the lines it started and lets
 * them finish before it continues as new, every page, with only a cursor and the counts, whatever the size of
 * the bulk (100,000 lines: 200 runs of 500). Children are abandoned, so a line goes on whatever happens to its
 * bulk's run. Lines started by runs from before AWAITED_LINES_PATCH report by signal to this workflow's id instead,
 * and may be handed over to the next run still in flight.
 *
 * Decisions arrive as Temporal updates (src/payouts/contract.ts): approve / reject while the bulk awaits approval
 * (maker-checker, with a deadline; from the API only, proven by its decision token), cancel while it is open,
 * retry-failed once it has ended (sent with update-with-start, which starts a new run of this workflow), these two
 * from the API (a user proven by its token) or an operator (a name, recorded with the identity Temporal gives the
 * sender). Validators answer from this workflow's state only; each handler does its database
 * work in one guarded activity.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  type ChildWorkflowHandle,
  condition,
  continueAsNew,
  currentUpdateInfo,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { PayoutActivities } from '../../activities/payouts';
import { msUntil } from '../../src/payouts/rules/bulkDecisionRules';
import { isUuid } from '../../src/domain/ids';
import { isFinalStatus } from '../../src/payouts/rules/transferStates';
import type { Message } from '../../src/i18n/message';
import {
  type ApprovalDecision,
  approveUpdate,
  BULK_ID,
  type BulkPayoutInput,
  type BulkPayoutResult,
  type BulkSettings,
  bulkCancelledSignal,
  cancelUpdate,
  type LineHold,
  lineFinishedSignal,
  lineHeldSignal,
  type LineReport,
  ORGANIZATION_CODE,
  PAYEE_IDENTIFIER,
  PAYOUT_STATUS,
  progressQuery,
  type RejectionDecision,
  rejectUpdate,
  type RetryFailedRequest,
  retryFailedUpdate,
  type BulkActor,
  type CancelOutcome,
  type TransferPageEntry,
  workflowIdForLine,
} from '../../src/payouts/contract';
import { LineWindow } from './lineWindow';
import { requestIdMemo, requestIdOf } from '../../src/payouts/rules/requestIdMemo';
import { payoutTransferWorkflow } from './payoutTransferWorkflow';
import { asDecision, asOwnRefusal, refuse } from '../refusals';
import { decidingUser, refuseUnprovenActor } from './deciders';

const database = proxyActivities<PayoutActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['BulkNotFound'],
  },
});

/**
 * The decisions' activities (approve, reject, cancel): a few attempts, then the update fails `decision_failed`
 * rather than retrying for ever an error that will not go (a bug, bad input), which kept the bulk open and its
 * money reserved. Their refusals are never retried. A decision is idempotent: it may be sent again.
 */
const decisions = proxyActivities<PayoutActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['BulkNotFound'],
  },
});
/**
 * Approvals and rejections accepted before decision tokens existed carried a user id; their handlers replay
 * scheduling the activities as they did (a live one is refused by the validator, and its activity would refuse it).
 */
const legacyDecisions = database as unknown as {
  approveBulk(bulkId: string, userId: number): Promise<void>;
  rejectBulk(bulkId: string, userId: number, reason: string): Promise<void>;
};
/**
 * A cancel whose activity failed no longer leaves the run cancelled (starting nothing more while nothing was
 * cancelled in the database): runs from before replay as they ran.
 */
const FAILED_CANCEL_LIFTED_PATCH = 'failed-cancel-lifted';

/** Pages read per run, so a bulk whose lines are mostly final already still continues-as-new regularly. */
const MAX_PAGES_PER_RUN = 4;
/**
 * A pass that leaves lines unfinished (their workflow failed) is followed by another, this many times at most;
 * after the last, the unfinished lines never sent are failed `line_unresolved` and the bulk closes.
 */
const MAX_PASSES = 3;
/**
 * A line's workflow id is taken by a run still open: the bulk looks again this many times, backing off (about
 * two minutes in all), then leaves the line to its next pass. See startLine.
 */
const COLLISION_CHECKS = 8;
const COLLISION_RECHECK_PATCH = 'line-id-collision-recheck';
/**
 * Runs started since this patch await their lines' results (the child completion event the bulk receives anyway)
 * instead of a signal from each line, and let their lines finish before continuing as new, so no line outlives
 * the run that awaits it. A line then costs Temporal a signal, two events in its history, two in the bulk's and a
 * workflow task less. Runs started before replay as they ran: their lines (and the lines they hand over to the next
 * run) still report by signal, which every run still takes.
 */
const AWAITED_LINES_PATCH = 'lines-awaited-by-their-run';
/**
 * Runs started since this patch believe a line's report only once its row agrees: a `lineFinished` signal (anyone
 * with Temporal access can send one) and the result of a line that was held are checked against the database, and a
 * held line is forgotten only when its row has ended. Runs started before replay as they ran.
 */
const LINE_REPORTS_CHECKED_PATCH = 'line-reports-checked';
/**
 * A retry-failed in an organization that requires approval leaves the bulk AWAITING_APPROVAL: the run that reopened it
 * waits for a second user's approval (or the deadline, a rejection, a cancel) before paying, as for a new bulk. Before,
 * a reopened bulk was always PROCESSING.
 */
const RETRY_AWAITS_APPROVAL_PATCH = 'retry-awaits-approval';
const collisionBackoffMs = (check: number): number => Math.min(1000 * 2 ** (check - 1), 30000);

export async function bulkPayoutWorkflow(input: BulkPayoutInput): Promise<BulkPayoutResult> {
  const { bulkId } = input;
  const window = new LineWindow(input.inFlight ?? [], input.counts ?? { completed: 0, failed: 0 }, input.held ?? []);
  const control = new BulkControl(input.settings ? 'paying' : 'starting', input.cancelled ?? false);
  let total = input.settings?.total ?? 0;
  setHandler(lineFinishedSignal, (report) => {
    if (!patched(LINE_REPORTS_CHECKED_PATCH)) return window.report(report);
    return control.track(() => checkLineReport(bulkId, report.lineNumber, window));
  });
  setHandler(lineHeldSignal, (hold) => window.hold(hold));
  setHandler(progressQuery, () => window.progress(total));
  registerDecisionHandlers(bulkId, control, window);

  let settings: BulkSettings;
  if (input.settings) {
    settings = input.settings;
  } else {
    const started = await startBulk(bulkId, control);
    if (started === 'closed') return closedBulkResult(bulkId);
    settings = started;
  }
  total = settings.total;
  control.phase = 'paying';

  const linesAwaited = patched(AWAITED_LINES_PATCH);
  const run = { cursor: input.cursor ?? 0, childrenStarted: 0, pagesRead: 0 };
  const shouldContinueAsNew = (): boolean =>
    run.childrenStarted >= settings.pageSize ||
    run.pagesRead >= MAX_PAGES_PER_RUN ||
    workflowInfo().continueAsNewSuggested;
  const continueWithNextRun = async (): Promise<never> => {
    // Starts already issued must be settled (started, or found to have run) before this run closes, and a
    // decision being handled (a cancel) must have finished its work: an update is lost with its run otherwise.
    // Lines awaited by this run must have ended: their results come to this run only.
    await condition(() => (linesAwaited ? window.isEmpty() : window.startsSettled()) && control.idle());
    return continueAsNew<typeof bulkPayoutWorkflow>({
      bulkId,
      settings,
      cursor: run.cursor,
      pass: input.pass,
      cancelled: control.cancelRequested,
      ...window.snapshot(),
    });
  };

  // After a cancel nothing more is started: the lines not sent yet were made FAILED `cancelled` by the cancel.
  pages: for (;;) {
    if (control.cancelRequested) break;
    if (shouldContinueAsNew()) return continueWithNextRun();
    const page = await database.listTransferPage(bulkId, run.cursor, settings.pageSize);
    run.pagesRead++;
    for (const line of page) {
      if (control.cancelRequested) break pages;
      if (shouldContinueAsNew()) return continueWithNextRun();
      if (isFinalStatus(line.status)) {
        window.countFinal(line.status);
      } else if (line.status === 'ON_HOLD') {
        // Held by an earlier run: its workflow awaits a decision and will report to this bulk.
        if (!window.isHeld(line.lineNumber)) window.hold(heldLineOf(bulkId, line), { found: true });
      } else {
        await condition(() => window.hasRoomFor(settings.concurrency) || control.cancelRequested);
        if (control.cancelRequested) break pages;
        void window.launch(line.lineNumber, () => startLine(bulkId, line, window, settings, linesAwaited));
        run.childrenStarted++;
      }
      run.cursor = line.lineNumber;
    }
    if (page.length < settings.pageSize) break;
  }

  // Lines in flight finish as they would have (a cancel does not stop what may already be sent); held lines wait
  // for their decision.
  await untilLinesEnded(bulkId, window, control, settings.overdueHoldGraceMs ?? OVERDUE_HOLD_GRACE_MS);
  control.phase = 'closing';
  return finish(bulkId, input, settings, control);
}

/**
 * A held line whose workflow is gone (terminated by hand) would keep the bulk open for ever: this long after its
 * deadline, the bulk fails it itself (guarded: a line decided meanwhile is left as it is).
 */
const OVERDUE_HOLD_GRACE_MS = 60 * 60 * 1000;

async function untilLinesEnded(
  bulkId: string,
  window: LineWindow,
  control: BulkControl,
  overdueGraceMs: number,
): Promise<void> {
  const ended = (): boolean => window.isDone() && control.idle();
  for (;;) {
    const deadline = window.earliestHoldDeadline();
    if (deadline === null) {
      await condition(() => ended() || window.earliestHoldDeadline() !== null);
      if (ended()) return;
      continue;
    }
    const waitMs = Math.max(deadline + overdueGraceMs - Date.now(), overdueGraceMs / 60);
    if (await condition(() => ended() || window.earliestHoldDeadline() !== deadline, waitMs)) {
      if (ended()) return;
      continue;
    }
    const expired = await database.expireOverdueHeldLines(bulkId, overdueGraceMs);
    for (const lineNumber of expired) window.report({ lineNumber, status: 'FAILED' });
  }
}

/**
 * Believes what a line reported only as far as its row agrees: a final row is counted, a held one stays held (its
 * money is reserved: the bulk waits for its decision, its deadline, or the overdue backstop), any other row leaves the
 * line to the next pass.
 */
async function checkLineReport(bulkId: string, lineNumber: number, window: LineWindow): Promise<void> {
  if (!window.isWaitedFor(lineNumber)) return; // a duplicate: nothing to check
  const standing = await database.lineState(bulkId, lineNumber);
  if (standing !== null && isFinalStatus(standing.status)) {
    window.report({ lineNumber, status: standing.status });
  } else if (standing?.status === 'ON_HOLD') {
    window.hold(
      {
        lineNumber,
        workflowId: workflowIdForLine(bulkId, lineNumber, standing.attempt),
        holdDeadline: standing.holdDeadline ?? new Date().toISOString(),
      },
      { found: true },
    );
  } else {
    window.drop(lineNumber);
  }
}

function heldLineOf(bulkId: string, line: TransferPageEntry): LineHold {
  return {
    lineNumber: line.lineNumber,
    workflowId: workflowIdForLine(bulkId, line.lineNumber, line.attempt),
    holdDeadline: line.holdDeadline ?? new Date().toISOString(),
  };
}

/**
 * Where the bulk workflow stands, for the validators of the updates sent to it (they must answer at once, from
 * this state only), and the decisions taken.
 */
class BulkControl {
  approval: 'approved' | 'rejected' | null = null;
  /** Set by the cancel update before its activity runs, so the main loop stops starting lines at once. */
  cancelRequested: boolean;
  /** A retry-failed update made an ended bulk PROCESSING again: this run pays it. */
  reopened = false;
  /**
   * Who may not approve or reject it (known once started): its creator, and the user who asked the retry awaiting
   * approval.
   */
  makerIds: number[] = [];
  /**
   * The public keys of decision tokens, known once started; null before, and in a run started before tokens
   * existed (its approval's activity then verifies the token's signature alone).
   */
  decisionKeys: string[] | null = null;
  /** A cancel has been recorded in the database (this run's, or an earlier run's). */
  cancelTaken: boolean;
  cancelsRunning = 0;
  private handlersRunning = 0;

  constructor(
    public phase: 'starting' | 'awaiting_approval' | 'paying' | 'closing' | 'closed',
    cancelled: boolean,
  ) {
    this.cancelRequested = cancelled;
    this.cancelTaken = cancelled;
  }

  idle(): boolean {
    return this.handlersRunning === 0;
  }

  /** Counts a handler from its first step, so the workflow never closes or continues-as-new under it. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.handlersRunning++;
    try {
      return await work();
    } finally {
      this.handlersRunning--;
    }
  }
}

function stillRunning(bulkId: string): Message {
  return {
    fr: `Le lot ${bulkId} est encore en cours : relancez-le une fois terminé.`,
    en: `Bulk ${bulkId} is still running: retry once it has ended.`,
  };
}

function registerDecisionHandlers(bulkId: string, control: BulkControl, window: LineWindow): void {
  /** Refuses unless the bulk is in one of `phases` and nobody has decided or cancelled yet. */
  const requireUndecided = (...phases: Array<BulkControl['phase']>): void => {
    if (!phases.includes(control.phase) || control.approval !== null || control.cancelRequested) {
      refuse('not_awaiting_approval', {
        fr: `Le lot ${bulkId} n'attend pas d'approbation.`,
        en: `Bulk ${bulkId} is not awaiting approval.`,
      });
    }
  };
  /** The deciding user, proven by the decision's token (see decidingUser); refuses the bulk's creator. */
  const whileAwaitingApproval = (decision: unknown, act: 'approve' | 'reject', fields: readonly string[]): void => {
    requireUndecided('starting', 'awaiting_approval');
    const userId = decidingUser(decision, { act, target: bulkId, keys: control.decisionKeys, fields });
    refuseCreator(userId);
  };
  const refuseCreator = (userId: number): void => {
    if (control.makerIds.includes(userId)) {
      refuse('approval_by_creator', {
        fr: "L'utilisateur qui a créé un lot, ou demandé la relance qui attend l'approbation, ne peut ni l'approuver ni le rejeter.",
        en: 'The user who created a bulk, or asked the retry awaiting approval, may not approve or reject it.',
      });
    }
  };
  // Sent with the workflow's very start, a decision waits until the bulk is known to await approval; its token,
  // accepted then without the keys (not known yet), is verified now that they are. Decisions taken before tokens
  // existed (no token) replay as they ran.
  const decide = async (
    decision: ApprovalDecision,
    act: 'approve' | 'reject',
    record: () => Promise<void>,
  ): Promise<void> => {
    await condition(() => control.phase !== 'starting');
    requireUndecided('awaiting_approval');
    if (typeof decision?.token === 'string' && control.decisionKeys !== null) {
      refuseCreator(decidingUser(decision, { act, target: bulkId, keys: control.decisionKeys, checkExpiry: false }));
    }
    await asDecision(record);
    control.approval = act === 'approve' ? 'approved' : 'rejected';
  };

  setHandler(
    approveUpdate,
    (decision) =>
      control.track(async () => {
        await decide(decision, 'approve', () =>
          typeof decision?.token === 'string'
            ? decisions.approveBulk(bulkId, decision)
            : legacyDecisions.approveBulk(bulkId, (decision as unknown as { userId: number }).userId),
        );
        return { state: 'PROCESSING' as const };
      }),
    { validator: (decision: ApprovalDecision) => whileAwaitingApproval(decision, 'approve', ['token']) },
  );

  setHandler(
    rejectUpdate,
    (decision) =>
      control.track(async () => {
        await decide(decision, 'reject', () =>
          typeof decision?.token === 'string'
            ? decisions.rejectBulk(bulkId, decision)
            : legacyDecisions.rejectBulk(bulkId, (decision as unknown as { userId: number }).userId, decision.reason),
        );
        return { state: 'FAILED' as const };
      }),
    {
      validator: (decision: RejectionDecision) => {
        whileAwaitingApproval(decision, 'reject', ['token', 'reason']);
        if (typeof decision.reason !== 'string' || decision.reason.trim() === '') {
          refuse('validation_error', { fr: 'Un rejet doit être motivé.', en: 'A rejection needs a reason.' });
        }
      },
    },
  );

  setHandler(
    cancelUpdate,
    (actor) => {
      control.cancelRequested = true;
      // For the activity to find this update in the history, and the identity of its sender with it.
      const sender = { updateId: currentUpdateInfo()?.id };
      return control.track(async () => {
        control.cancelsRunning++;
        let outcome: CancelOutcome;
        try {
          outcome = await asDecision(() => decisions.cancelBulk(bulkId, actor ?? {}, sender));
        } catch (error) {
          // Nothing was cancelled: unless another cancel is under way or was taken, the bulk goes on as before
          // (lines this run stopped starting meanwhile are taken by its next pass) and the cancel may be sent again.
          control.cancelsRunning--;
          if (control.cancelsRunning === 0 && !control.cancelTaken && patched(FAILED_CANCEL_LIFTED_PATCH)) {
            control.cancelRequested = false;
          }
          throw error;
        }
        control.cancelsRunning--;
        control.cancelTaken = true;
        control.cancelRequested = true;
        // The cancel failed the held lines too (nothing of them was sent): their workflows end and report.
        await Promise.all(window.heldWorkflowIds().map((id) => tellHeldLine(id)));
        return outcome;
      });
    },
    {
      validator: (actor: BulkActor | undefined) => {
        refuseUnprovenActor(actor, { act: 'cancel', target: bulkId, keys: control.decisionKeys, fields: [] });
        if (control.phase === 'closing' || control.phase === 'closed') {
          refuse('bulk_closed', {
            fr: `Le lot ${bulkId} est terminé : il ne reste rien à annuler.`,
            en: `Bulk ${bulkId} has ended: nothing left to cancel.`,
          });
        }
      },
    },
  );

  setHandler(
    retryFailedUpdate,
    (actor) => {
      const sender = { updateId: currentUpdateInfo()?.id };
      return control.track(async () => {
        // Sent with this run's start (update-with-start): wait until the bulk is known to have ended.
        await condition(() => control.phase !== 'starting');
        if (control.phase !== 'closed' || control.reopened) refuse('bulk_in_progress', stillRunning(bulkId));
        const outcome = await asOwnRefusal(() =>
          database.retryFailedLines(bulkId, { ...(actor ?? {}), requestId: actor?.requestId ?? uuid4() }, sender),
        );
        control.reopened = true;
        // Awaiting approval again: a decision sent from now waits until this run knows the retry's makers (startBulk).
        if (outcome.state === 'AWAITING_APPROVAL') control.phase = 'starting';
        return outcome;
      });
    },
    {
      validator: (actor: RetryFailedRequest | undefined) => {
        refuseUnprovenActor(actor, {
          act: 'retryFailed',
          target: bulkId,
          keys: control.decisionKeys,
          fields: ['requestId'],
        });
        if (actor?.requestId !== undefined && !isUuid(actor.requestId)) {
          refuse('validation_error', {
            fr: "L'identifiant d'une demande de relance doit être un UUID.",
            en: 'A retry request id must be a UUID.',
          });
        }
        if (control.phase !== 'starting' && control.phase !== 'closed')
          refuse('bulk_in_progress', stillRunning(bulkId));
      },
    },
  );
}

/**
 * PENDING -> PROCESSING, or AWAITING_APPROVAL and the wait for a decision (approve, reject, the deadline, or a
 * cancel). 'closed' when the bulk has ended, unless a retry-failed update sent with this run's start reopens it.
 */
async function startBulk(bulkId: string, control: BulkControl): Promise<BulkSettings | 'closed'> {
  let bulk = await database.startBulk(bulkId);
  control.makerIds = makersOf(bulk);
  control.decisionKeys = bulk.decisionKeys ?? null;
  upsertSearchAttributes([
    { key: BULK_ID, value: bulkId },
    { key: ORGANIZATION_CODE, value: bulk.organizationCode },
  ]);
  if (bulk.state === 'AWAITING_APPROVAL') {
    control.phase = 'awaiting_approval';
    await awaitApproval(bulkId, bulk.approvalDeadline, control);
    bulk = await database.startBulk(bulkId);
  }
  if (bulk.state === 'COMPLETED' || bulk.state === 'FAILED') {
    control.phase = 'closed';
    // A retry-failed update delivered with this start may run now: let it finish, then pay if it reopened the bulk.
    await condition(() => control.idle());
    if (!control.reopened) {
      // From here the run only reports and ends: a retry arriving now is refused (retried by its sender, it
      // starts a new run) rather than reopening the bulk under a run that is about to close.
      control.phase = 'closing';
      return 'closed';
    }
    bulk = await database.startBulk(bulkId);
    if (bulk.state === 'AWAITING_APPROVAL' && patched(RETRY_AWAITS_APPROVAL_PATCH)) {
      // The retry awaits a second user's approval, like a new bulk; the retry's requester may not give it.
      control.makerIds = makersOf(bulk);
      control.approval = null;
      control.phase = 'awaiting_approval';
      await awaitApproval(bulkId, bulk.approvalDeadline, control);
      bulk = await database.startBulk(bulkId);
      if (bulk.state === 'COMPLETED' || bulk.state === 'FAILED') {
        // Rejected or expired: the retried lines were failed and their money released (endUnapproved).
        control.phase = 'closing';
        return 'closed';
      }
    }
  }
  return {
    total: bulk.total,
    organizationCode: bulk.organizationCode,
    concurrency: bulk.concurrency,
    pageSize: bulk.pageSize,
    ...(bulk.lineRetry ? { lineRetry: bulk.lineRetry } : {}),
    ...(bulk.overdueHoldGraceMs !== undefined ? { overdueHoldGraceMs: bulk.overdueHoldGraceMs } : {}),
  };
}

/** Results recorded before makerIds existed name the creator alone. */
function makersOf(bulk: { createdById: number | null; makerIds?: number[] }): number[] {
  return bulk.makerIds ?? (bulk.createdById === null ? [] : [bulk.createdById]);
}

/** Until approved, rejected, cancelled, or the deadline passes (then the bulk ends FAILED, its funds released). */
async function awaitApproval(bulkId: string, deadline: string | null, control: BulkControl): Promise<void> {
  for (;;) {
    const remaining = deadline === null ? 0 : msUntil(new Date(deadline), new Date());
    const woken =
      remaining > 0 &&
      (await condition(() => control.approval !== null || control.cancelRequested || !control.idle(), remaining));
    // A decision being recorded (or refused) is finished before the deadline is looked at again.
    await condition(() => control.idle());
    if (control.approval !== null || control.cancelRequested) return;
    if (!woken) {
      await database.expireApproval(bulkId);
      return;
    }
  }
}

/**
 * Starts the line's workflow. Its id is derived from the bulk, line and attempt, and a completed one may not run again
 * (ALLOW_DUPLICATE_FAILED_ONLY): if it already ran to the end (a restart of this bulk after a crash or a
 * termination), its result is read from the database instead. If a run of it is still open, it may be one that
 * reports when done (this bulk was restarted while the line was in flight), or one that has reported UNRESOLVED
 * already and is about to fail (the next pass came quicker than its closing): the bulk looks again, backing off,
 * until the line is reported, found final, or its id is free again (then it starts it); after COLLISION_CHECKS
 * the line is left to the next pass (UNRESOLVED), so a run that never reports cannot hold the bulk open.
 * Paying twice is also impossible below this: every payment step is guarded in the database.
 */
async function startLine(
  bulkId: string,
  line: TransferPageEntry,
  window: LineWindow,
  settings: BulkSettings,
  awaited: boolean,
): Promise<void> {
  for (let check = 1; ; check++) {
    try {
      const child = await startLineWorkflow(bulkId, line, settings, awaited);
      if (awaited) void reportWhenEnded(bulkId, child, line.lineNumber, window);
      return;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    const status = await database.transferOutcome(line.transferId);
    if (status !== null && isFinalStatus(status)) {
      window.report({ lineNumber: line.lineNumber, status });
      return;
    }
    if (!window.isInFlight(line.lineNumber)) return; // reported meanwhile
    // Runs started before this recheck existed left the line to its report: they go on doing so when replayed.
    if (!patched(COLLISION_RECHECK_PATCH)) return;
    if (check >= COLLISION_CHECKS) {
      window.report({ lineNumber: line.lineNumber, status: 'UNRESOLVED' });
      return;
    }
    if (await condition(() => !window.isInFlight(line.lineNumber), collisionBackoffMs(check))) return;
  }
}

/**
 * The line's result, awaited by the run that started it: a line that failed without ending its line (a bug, a
 * bulk not payable, terminated by hand) is UNRESOLVED, for the next pass.
 */
async function reportWhenEnded(
  bulkId: string,
  child: ChildWorkflowHandle<typeof payoutTransferWorkflow>,
  lineNumber: number,
  window: LineWindow,
): Promise<void> {
  let status: LineReport['status'];
  try {
    status = (await child.result()).status;
  } catch {
    status = 'UNRESOLVED';
  }
  // A held line's end is checked against its row: its workflow may have been terminated while the line waits.
  if (window.isHeld(lineNumber) && patched(LINE_REPORTS_CHECKED_PATCH)) {
    return checkLineReport(bulkId, lineNumber, window);
  }
  window.report({ lineNumber, status });
}

/**
 * `awaited`: the line reports by its result (no `reportTo`, so it sends no signal) and is started PROCESSING, the
 * PayoutStatus it would otherwise upsert once its payee is found; otherwise it is started as runs before
 * AWAITED_LINES_PATCH started it.
 */
function startLineWorkflow(
  bulkId: string,
  line: TransferPageEntry,
  settings: BulkSettings,
  awaited: boolean,
): Promise<ChildWorkflowHandle<typeof payoutTransferWorkflow>> {
  return startChild(payoutTransferWorkflow, {
    workflowId: workflowIdForLine(bulkId, line.lineNumber, line.attempt),
    args: [
      {
        transferId: line.transferId,
        lineNumber: line.lineNumber,
        attempt: line.attempt,
        ...(awaited ? {} : { reportTo: workflowInfo().workflowId }),
        ...(settings.lineRetry ? { retry: settings.lineRetry } : {}),
      },
    ],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    // The API request that started the bulk, for the line's activity logs (src/payouts/rules/requestIdMemo.ts).
    memo: requestIdMemo(requestIdOf(workflowInfo().memo)),
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    typedSearchAttributes: [
      { key: BULK_ID, value: bulkId },
      { key: PAYEE_IDENTIFIER, value: line.payeeIdentifier },
      { key: PAYOUT_STATUS, value: awaited ? 'PROCESSING' : line.status },
    ],
    staticSummary:
      `Pension payout line ${line.lineNumber} of bulk ${bulkId}${line.attempt > 1 ? ` (attempt ${line.attempt})` : ''}: ` +
      `${line.amount} ${line.currency} to ${line.payeeIdType} ${line.payeeIdentifier}`,
  });
}

async function tellHeldLine(workflowId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(workflowId).signal(bulkCancelledSignal);
  } catch {
    // Its workflow has ended meanwhile (decided, or its deadline passed): it reports by itself.
  }
}

async function finish(
  bulkId: string,
  input: BulkPayoutInput,
  settings: BulkSettings,
  control: BulkControl,
): Promise<BulkPayoutResult> {
  const closed = await database.finishBulk(bulkId);
  if (closed.state !== 'UNFINISHED') {
    control.phase = 'closed';
    return { bulkId, state: closed.state, ...closed.counts };
  }

  const pass = (input.pass ?? 1) + 1;
  if (pass > MAX_PASSES) {
    // The last pass: a line never sent is failed (its money released; retry-failed may pay it again) and the bulk
    // closes. A line sent may have been paid: it is left for a human, and the bulk stays open until then.
    const unresolved = await database.failUnresolvedLines(bulkId);
    if (unresolved.sentUnfinished > 0) {
      throw ApplicationFailure.nonRetryable(
        `${unresolved.sentUnfinished} line(s) of bulk ${bulkId} were sent and are still unfinished after ${MAX_PASSES} passes: ` +
          'their outcome is unknown and a human must reconcile them with the switch (see their workflows); ' +
          `the bulk stays PROCESSING until then${unresolved.failed > 0 ? ` (${unresolved.failed} unsent line(s) were failed line_unresolved)` : ''}`,
        'BulkUnfinished',
      );
    }
    const ended = await database.finishBulk(bulkId);
    if (ended.state !== 'UNFINISHED') {
      control.phase = 'closed';
      return { bulkId, state: ended.state, ...ended.counts };
    }
    throw ApplicationFailure.nonRetryable(`Bulk ${bulkId} could not be closed after its last pass`, 'BulkUnfinished');
  }
  // Some line's workflow failed without ending its line: go over the bulk again from the first line.
  return continueAsNew<typeof bulkPayoutWorkflow>({
    bulkId,
    settings,
    cursor: 0,
    pass,
    inFlight: [],
    counts: { completed: 0, failed: 0 },
    cancelled: control.cancelRequested,
  });
}

async function closedBulkResult(bulkId: string): Promise<BulkPayoutResult> {
  const closed = await database.finishBulk(bulkId);
  const state = closed.state === 'UNFINISHED' ? 'FAILED' : closed.state;
  return { bulkId, state, ...closed.counts };
}
