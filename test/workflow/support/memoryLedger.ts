/**
 * The payout activities mocked for the workflow tests: plain functions under the names of activities/index.ts,
 * keeping bulks and lines in memory with the same rules as the real ones: a decision taken once, a status changed
 * only as src/payouts/rules/transferStates.ts allows (never PENDING -> COMPLETED), an unsent line failed only while unsent,
 * and every step that talks to the switch refusing a bulk that may not be paid, as src/payouts/rules/paymentGates.ts says
 * (a cancelled bulk's unsent line ends `cancelled`; any other refusal fails the step for good, `BulkNotPayable`). A
 * test checks the workflow's logic and reads the outcome from here. Held lines are not kept here: their cases run
 * on the real activities (test/payouts/payeeNameCheck.test.ts, bulkWaitsForLines.test.ts).
 * A test steers a line through `script` (per transfer id: what a step does) and holds steps with barriers.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { isRetryableFailure, LINE_UNRESOLVED_CODE } from '../../../src/payouts/rules/bulkDecisionRules';
import { payabilityRefusal } from '../../../src/payouts/rules/paymentGates';
import { canTransition } from '../../../src/payouts/rules/transferStates';
import { decisionPublicKeys, signDecisionToken, verifyDecisionToken } from '../../../src/payouts/decisionTokenKeys';
import type {
  ApprovalDecision,
  BulkRun,
  FinalStepResult,
  LineRef,
  LineRetry,
  QuoteStepResult,
  StepResult,
  TransferPageEntry,
} from '../../../src/payouts/contract';

export type LineStatus = 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED';

export interface MemoryLine {
  transferId: string;
  bulkId: string;
  lineNumber: number;
  attempt: number;
  status: LineStatus;
  failureCode: string | null;
  sent: boolean;
  /** Times the transfer was sent (the money step): never more than 1 for a line. */
  sends: number;
}

export interface MemoryBulk {
  bulkId: string;
  state: 'PENDING' | 'AWAITING_APPROVAL' | 'PROCESSING' | 'COMPLETED' | 'FAILED';
  requiresApproval: boolean;
  approvalMs: number;
  approvalDeadline: string | null;
  createdById: number | null;
  approvedById: number | null;
  endedUnapproved: 'rejected' | 'expired' | null;
  cancelled: boolean;
  lines: MemoryLine[];
  concurrency: number;
  pageSize: number;
  lineRetry?: LineRetry;
}

/** What a step of one line does instead of the default (discover/quote answer PROCESSING, confirm pays). */
export interface LineScript {
  discover?: (line: MemoryLine) => Promise<StepResult>;
  quote?: (line: MemoryLine) => Promise<QuoteStepResult>;
  confirm?: (line: MemoryLine) => Promise<FinalStepResult>;
}

/** What the real steps throw for a bulk that may not be paid: never retried, nothing changed. */
function notPayable(line: MemoryLine, message: string): ApplicationFailure {
  return refusal(`Transfer ${line.transferId} is not paid: ${message}`, 'BulkNotPayable');
}

/** The key these tests' decision tokens are signed with, as the API's would be. */
const tokenSettings = { secretKey: 'workflow-tests-decision-secret-0123456789', decisionTokenLifetimeSeconds: 300 };

/** An approval as the API sends it: a token signed for this user and bulk. */
export function approvalBy(userId: number, bulkId: string): ApprovalDecision {
  return { token: signDecisionToken(tokenSettings, { userId, act: 'approve', target: bulkId }) };
}

/** The deciding user proven by a decision's token, as the real activities read it. */
function deciderOf(decision: ApprovalDecision, act: 'approve' | 'reject', bulkId: string): number {
  const keys = decisionPublicKeys(tokenSettings.secretKey);
  const check = verifyDecisionToken(decision?.token, { act, target: bulkId, keys, nowMs: null });
  if (!check.ok) throw refusal(`Decision token refused: ${check.refusal}`, 'decision_token_invalid');
  return check.payload.sub;
}

function refusal(message: string, code: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: code, nonRetryable: true });
}

const isFinal = (status: LineStatus): boolean => status === 'COMPLETED' || status === 'FAILED';
const isOpen = (state: MemoryBulk['state']): boolean =>
  state === 'PENDING' || state === 'AWAITING_APPROVAL' || state === 'PROCESSING';

export class MemoryLedger {
  readonly bulks = new Map<string, MemoryBulk>();
  readonly lines = new Map<string, MemoryLine>();
  readonly script = new Map<string, LineScript>();
  /** Every activity call, in order: `<activity> <bulk or transfer id>`. */
  readonly calls: string[] = [];
  /** `<activity> <bulk id>` of decision activities that fail every attempt (an error that is not a refusal). */
  readonly failing = new Set<string>();

  createBulk(options: {
    lines: number;
    requiresApproval?: boolean;
    approvalMs?: number;
    createdById?: number;
    concurrency?: number;
    pageSize?: number;
    lineRetry?: LineRetry;
  }): MemoryBulk {
    const bulkId = randomUUID();
    const bulk: MemoryBulk = {
      bulkId,
      state: 'PENDING',
      requiresApproval: options.requiresApproval ?? false,
      approvalMs: options.approvalMs ?? 60_000,
      approvalDeadline: null,
      createdById: options.createdById ?? 1,
      approvedById: null,
      endedUnapproved: null,
      cancelled: false,
      lines: [],
      concurrency: options.concurrency ?? 3,
      pageSize: options.pageSize ?? 50,
      lineRetry: options.lineRetry,
    };
    for (let lineNumber = 1; lineNumber <= options.lines; lineNumber++) {
      const line: MemoryLine = {
        transferId: randomUUID(),
        bulkId,
        lineNumber,
        attempt: 1,
        status: 'PENDING',
        failureCode: null,
        sent: false,
        sends: 0,
      };
      bulk.lines.push(line);
      this.lines.set(line.transferId, line);
    }
    this.bulks.set(bulkId, bulk);
    return bulk;
  }

  callsOf(activity: string, id: string): number {
    return this.calls.filter((call) => call === `${activity} ${id}`).length;
  }

  private bulk(bulkId: string): MemoryBulk {
    const bulk = this.bulks.get(bulkId);
    if (!bulk) throw refusal(`Bulk ${bulkId} does not exist`, 'BulkNotFound');
    return bulk;
  }

  private line(transferId: string): MemoryLine {
    const line = this.lines.get(transferId);
    if (!line) throw refusal(`Transfer ${transferId} does not exist`, 'TransferNotFound');
    return line;
  }

  /**
   * The gate of every step that talks to the switch (activities/payouts/transferActivities.ts refuseUnpayable): null when
   * the line may go on; otherwise the step's result (a cancelled bulk's unsent line ends `cancelled`), or it throws.
   */
  private refuseUnpayable(line: MemoryLine): StepResult | null {
    const bulk = this.bulk(line.bulkId);
    const refusal = payabilityRefusal({
      state: bulk.state,
      cancelled: bulk.cancelled,
      approvalRequired: bulk.requiresApproval,
      approved: bulk.approvedById !== null,
      organizationActive: true,
    });
    if (refusal === null) return null;
    if (refusal.code === 'bulk_cancelled' && !line.sent) {
      const result = this.settle(line, { status: 'FAILED', failureCode: 'cancelled' }, true);
      if (result.status !== 'PROCESSING') return result;
    }
    throw notPayable(line, refusal.message);
  }

  /** As the real steps' `final`: a settlement refused by the transitions is a bug, never retried. */
  final(result: StepResult): FinalStepResult {
    if (result.status === 'PROCESSING') throw refusal('The transfer could not be settled', 'SettlementRefused');
    return result;
  }

  private failPending(bulk: MemoryBulk, code: string): void {
    for (const line of bulk.lines) {
      if (line.status === 'PENDING') Object.assign(line, { status: 'FAILED', failureCode: code });
    }
  }

  private finalResult(line: MemoryLine): FinalStepResult {
    return line.status === 'COMPLETED'
      ? { status: 'COMPLETED' }
      : { status: 'FAILED', failureCode: line.failureCode ?? 'unknown' };
  }

  /** settleTransfer: only as the transitions allow (and, for a failure that asks it, only if not sent). */
  settle(
    line: MemoryLine,
    outcome: { status: 'COMPLETED' } | { status: 'FAILED'; failureCode: string },
    onlyIfNotSent = false,
  ): StepResult {
    if (canTransition(line.status, outcome.status) && !(onlyIfNotSent && line.sent)) {
      line.status = outcome.status;
      line.failureCode = outcome.status === 'FAILED' ? outcome.failureCode : null;
    }
    return isFinal(line.status) ? this.finalResult(line) : { status: 'PROCESSING' };
  }

  /** The activities, under the names the workflows call. */
  activities() {
    const record = (activity: string, id: string): void => {
      this.calls.push(`${activity} ${id}`);
    };
    return {
      startBulk: async (bulkId: string): Promise<BulkRun> => {
        record('startBulk', bulkId);
        const bulk = this.bulk(bulkId);
        if (bulk.state === 'PENDING') {
          if (bulk.requiresApproval) {
            bulk.state = 'AWAITING_APPROVAL';
            bulk.approvalDeadline = new Date(Date.now() + bulk.approvalMs).toISOString();
          } else {
            bulk.state = 'PROCESSING';
          }
        }
        return {
          state: bulk.state,
          approvalDeadline: bulk.state === 'AWAITING_APPROVAL' ? bulk.approvalDeadline : null,
          createdById: bulk.createdById,
          decisionKeys: decisionPublicKeys(tokenSettings.secretKey),
          total: bulk.lines.length,
          organizationCode: 'ORGTEST',
          concurrency: bulk.concurrency,
          pageSize: bulk.pageSize,
          ...(bulk.lineRetry ? { lineRetry: bulk.lineRetry } : {}),
        };
      },

      listTransferPage: async (
        bulkId: string,
        afterLineNumber: number,
        limit: number,
      ): Promise<TransferPageEntry[]> => {
        record('listTransferPage', bulkId);
        return this.bulk(bulkId)
          .lines.filter((line) => line.lineNumber > afterLineNumber)
          .slice(0, limit)
          .map((line) => ({
            transferId: line.transferId,
            lineNumber: line.lineNumber,
            status: line.status,
            attempt: line.attempt,
            payeeIdType: 'MSISDN',
            payeeIdentifier: `2299000${String(line.lineNumber).padStart(4, '0')}`,
            amount: '1000',
            currency: 'XOF',
          }));
      },

      transferOutcome: async (transferId: string): Promise<LineStatus | null> => {
        record('transferOutcome', transferId);
        return this.lines.get(transferId)?.status ?? null;
      },

      lineState: async (bulkId: string, lineNumber: number) => {
        record('lineState', bulkId);
        const line = this.bulk(bulkId).lines.find((candidate) => candidate.lineNumber === lineNumber);
        return line ? { status: line.status, attempt: line.attempt } : null;
      },

      finishBulk: async (bulkId: string) => {
        record('finishBulk', bulkId);
        const bulk = this.bulk(bulkId);
        const completed = bulk.lines.filter((line) => line.status === 'COMPLETED').length;
        const failed = bulk.lines.filter((line) => line.status === 'FAILED').length;
        const counts = { total: bulk.lines.length, completed, failed };
        if (completed + failed < bulk.lines.length) return { state: 'UNFINISHED' as const, counts };
        const state = completed > 0 ? ('COMPLETED' as const) : ('FAILED' as const);
        if (bulk.state === 'PROCESSING' || bulk.state === 'AWAITING_APPROVAL') bulk.state = state;
        return { state, counts };
      },

      failUnresolvedLines: async (bulkId: string) => {
        record('failUnresolvedLines', bulkId);
        const bulk = this.bulk(bulkId);
        let failed = 0;
        for (const line of bulk.lines) {
          if (!isFinal(line.status) && !line.sent) {
            Object.assign(line, { status: 'FAILED', failureCode: LINE_UNRESOLVED_CODE });
            failed++;
          }
        }
        return { failed, sentUnfinished: bulk.lines.filter((line) => !isFinal(line.status)).length };
      },

      approveBulk: async (bulkId: string, decision: ApprovalDecision): Promise<void> => {
        record('approveBulk', bulkId);
        const userId = deciderOf(decision, 'approve', bulkId);
        const bulk = this.bulk(bulkId);
        if (bulk.state !== 'AWAITING_APPROVAL') {
          if (bulk.approvedById === userId) return;
          throw refusal(`The bulk is not awaiting approval (it is ${bulk.state}).`, 'not_awaiting_approval');
        }
        if (bulk.createdById === userId)
          throw refusal('The user who created a bulk may not approve it.', 'approval_by_creator');
        bulk.state = 'PROCESSING';
        bulk.approvedById = userId;
      },

      rejectBulk: async (bulkId: string, decision: ApprovalDecision): Promise<void> => {
        record('rejectBulk', bulkId);
        deciderOf(decision, 'reject', bulkId);
        const bulk = this.bulk(bulkId);
        if (bulk.state !== 'AWAITING_APPROVAL') {
          if (bulk.endedUnapproved === 'rejected') return;
          throw refusal(`The bulk is not awaiting approval (it is ${bulk.state}).`, 'not_awaiting_approval');
        }
        this.failPending(bulk, 'approval_rejected');
        bulk.state = 'FAILED';
        bulk.endedUnapproved = 'rejected';
      },

      expireApproval: async (bulkId: string): Promise<void> => {
        record('expireApproval', bulkId);
        const bulk = this.bulk(bulkId);
        if (bulk.state !== 'AWAITING_APPROVAL') return;
        this.failPending(bulk, 'approval_expired');
        bulk.state = 'FAILED';
        bulk.endedUnapproved = 'expired';
      },

      cancelBulk: async (bulkId: string, _actor: unknown) => {
        record('cancelBulk', bulkId);
        if (this.failing.has(`cancelBulk ${bulkId}`)) throw new Error('the database is unreachable');
        const bulk = this.bulk(bulkId);
        if (!isOpen(bulk.state))
          throw refusal(`The bulk has ended (${bulk.state}): there is nothing left to cancel.`, 'bulk_closed');
        bulk.cancelled = true;
        this.failPending(bulk, 'cancelled');
        const cancelled = bulk.lines.filter((line) => line.failureCode === 'cancelled').length;
        return { cancelled, released: String(cancelled * 1000) };
      },

      retryFailedLines: async (bulkId: string, _request: unknown) => {
        record('retryFailedLines', bulkId);
        const bulk = this.bulk(bulkId);
        if (isOpen(bulk.state)) throw refusal(`The bulk is still ${bulk.state}.`, 'bulk_in_progress');
        const lines = bulk.lines.filter(
          (line) => line.status === 'FAILED' && isRetryableFailure(line.failureCode) && !line.sent,
        );
        if (lines.length === 0)
          throw refusal('No transfer of this bulk failed for a reason worth retrying.', 'nothing_to_retry');
        for (const line of lines)
          Object.assign(line, { status: 'PENDING', failureCode: null, attempt: line.attempt + 1 });
        bulk.state = 'PROCESSING';
        return { retried: lines.length, reserved: String(lines.length * 1000) };
      },

      discoverPayee: async (lineArg: LineArg): Promise<StepResult> => {
        const transferId = idOf(lineArg);
        record('discoverPayee', transferId);
        const line = this.line(transferId);
        if (isFinal(line.status)) return this.finalResult(line);
        const refused = this.refuseUnpayable(line);
        if (refused) return refused;
        const scripted = this.script.get(transferId)?.discover;
        if (scripted) return scripted(line);
        line.status = 'PROCESSING';
        return { status: 'PROCESSING' };
      },

      requestQuote: async (lineArg: LineArg): Promise<QuoteStepResult> => {
        const transferId = idOf(lineArg);
        record('requestQuote', transferId);
        const line = this.line(transferId);
        if (isFinal(line.status)) return this.finalResult(line);
        const refused = this.refuseUnpayable(line);
        if (refused) return refused;
        const scripted = this.script.get(transferId)?.quote;
        if (scripted) return scripted(line);
        return { status: 'PROCESSING' };
      },

      confirmTransfer: async (lineArg: LineArg): Promise<FinalStepResult> => {
        const transferId = idOf(lineArg);
        record('confirmTransfer', transferId);
        const line = this.line(transferId);
        if (isFinal(line.status)) return this.finalResult(line);
        const scripted = this.script.get(transferId)?.confirm;
        if (scripted) return scripted(line);
        if (!line.sent) {
          const refused = this.refuseUnpayable(line);
          if (refused) return refused as FinalStepResult;
          line.sent = true;
          line.sends++;
        }
        return this.final(this.settle(line, { status: 'COMPLETED' }));
      },

      failTransfer: async (lineArg: LineArg, failureCode: string, _message: string): Promise<StepResult> => {
        const transferId = idOf(lineArg);
        record('failTransfer', transferId);
        return this.settle(this.line(transferId), { status: 'FAILED', failureCode }, true);
      },
    };
  }
}

/** A step's line as the line workflow passes it: a LineRef, or the transfer id (histories recorded before refs). */
type LineArg = string | LineRef;
const idOf = (lineArg: LineArg): string => (typeof lineArg === 'string' ? lineArg : lineArg.transferId);

/** Waits until `probe` holds, looking every few milliseconds; fails (rather than hangs) after `limitMs`. */
export async function until(probe: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const giveUpAt = Date.now() + limitMs;
  while (!probe()) {
    if (Date.now() > giveUpAt) throw new Error(`Still waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
