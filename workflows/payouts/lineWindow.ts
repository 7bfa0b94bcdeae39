/**
 * The bulk workflow's bookkeeping: which lines are in flight (their workflows started, not yet reported), which are
 * held by the payee name check (out of the window, awaiting a decision), and how many lines ended paid or failed.
 * Plain state, carried across continue-as-new as numbers only.
 */
import type { LineHold, LineReport, BulkProgress } from '../../src/payouts/contract';

export class LineWindow {
  private readonly inFlight: Set<number>;
  private readonly held: Map<number, LineHold>;
  /** Starts issued whose outcome (started, or already ran) is not known yet: settled before continuing as new. */
  private startsUnsettled = 0;

  constructor(
    inFlight: readonly number[],
    private readonly counts: { completed: number; failed: number },
    held: readonly LineHold[] = [],
  ) {
    this.inFlight = new Set(inFlight);
    this.held = new Map(held.map((hold) => [hold.lineNumber, hold]));
  }

  hasRoomFor(concurrency: number): boolean {
    return this.inFlight.size < concurrency;
  }

  /** Nothing in flight and every start settled: the run may continue as new (held lines go with it). */
  isEmpty(): boolean {
    return this.inFlight.size === 0 && this.startsUnsettled === 0;
  }

  /** Nothing in flight and nothing held: the bulk may close. */
  isDone(): boolean {
    return this.isEmpty() && this.held.size === 0;
  }

  isInFlight(lineNumber: number): boolean {
    return this.inFlight.has(lineNumber);
  }

  isHeld(lineNumber: number): boolean {
    return this.held.has(lineNumber);
  }

  startsSettled(): boolean {
    return this.startsUnsettled === 0;
  }

  /** Tracks a line from the moment its start is issued, so a report arriving at any time after is counted. */
  launch(lineNumber: number, start: () => Promise<void>): Promise<void> {
    this.inFlight.add(lineNumber);
    this.startsUnsettled++;
    return start().finally(() => {
      this.startsUnsettled--;
    });
  }

  /** A line that was already final when read: counted without starting anything. */
  countFinal(status: 'COMPLETED' | 'FAILED'): void {
    if (status === 'COMPLETED') this.counts.completed++;
    else this.counts.failed++;
  }

  /**
   * A line in flight was held: its place in the window is freed. `found`: a held line read from the database (a
   * later pass), whose workflow is waiting and will report. A hold of a line already counted changes nothing.
   */
  hold(hold: LineHold, options: { found?: boolean } = {}): void {
    if (this.inFlight.delete(hold.lineNumber) || options.found) this.held.set(hold.lineNumber, hold);
  }

  /** The held lines' workflows, told when a cancel has failed them. */
  heldWorkflowIds(): string[] {
    return [...this.held.values()].map((hold) => hold.workflowId);
  }

  /** The earliest deadline of a held line (ms since the epoch), or null when none is held. */
  earliestHoldDeadline(): number | null {
    let earliest: number | null = null;
    for (const hold of this.held.values()) {
      const deadline = Date.parse(hold.holdDeadline);
      if (earliest === null || deadline < earliest) earliest = deadline;
    }
    return earliest;
  }

  /** The line is in flight or held: a report of it may change the window. */
  isWaitedFor(lineNumber: number): boolean {
    return this.inFlight.has(lineNumber) || this.held.has(lineNumber);
  }

  /**
   * A line ended. Counted only if it was in flight or held, so a duplicate report (or one from a run that a
   * later pass already counted) changes nothing. UNRESOLVED frees an in-flight line's slot without counting it, and
   * never forgets a held line: its money is reserved until its row says it ended (see `drop`).
   */
  report(report: LineReport): void {
    if (report.status === 'UNRESOLVED') {
      this.inFlight.delete(report.lineNumber);
      return;
    }
    if (!this.inFlight.delete(report.lineNumber) && !this.held.delete(report.lineNumber)) return;
    this.countFinal(report.status);
  }

  /**
   * The line's row says it is neither final nor held (a released line whose workflow then failed): it is left to
   * the bulk's next pass, like an UNRESOLVED line, without being counted.
   */
  drop(lineNumber: number): void {
    this.inFlight.delete(lineNumber);
    this.held.delete(lineNumber);
  }

  progress(total: number): BulkProgress {
    const processing = this.inFlight.size;
    const held = this.held.size;
    const { completed, failed } = this.counts;
    return {
      total,
      completed,
      failed,
      processing,
      held,
      pending: Math.max(0, total - completed - failed - processing - held),
    };
  }

  snapshot(): { inFlight: number[]; held: LineHold[]; counts: { completed: number; failed: number } } {
    return { inFlight: [...this.inFlight], held: [...this.held.values()], counts: { ...this.counts } };
  }
}
