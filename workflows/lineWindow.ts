/**
 * The bulk workflow's bookkeeping: which lines are in flight (their workflows started, not yet reported) and
 * how many lines ended paid or failed. Plain state, carried across continue-as-new as numbers only.
 */
import type { BulkProgress } from '../src/domain/payoutWorkflows';
import type { LineReport } from './definitions';

export class LineWindow {
  private readonly inFlight: Set<number>;
  /** Starts issued whose outcome (started, or already ran) is not known yet: settled before continuing as new. */
  private startsUnsettled = 0;

  constructor(
    inFlight: readonly number[],
    private readonly counts: { completed: number; failed: number },
  ) {
    this.inFlight = new Set(inFlight);
  }

  hasRoomFor(concurrency: number): boolean {
    return this.inFlight.size < concurrency;
  }

  /** Nothing in flight and every start settled: the bulk may close. */
  isEmpty(): boolean {
    return this.inFlight.size === 0 && this.startsUnsettled === 0;
  }

  isInFlight(lineNumber: number): boolean {
    return this.inFlight.has(lineNumber);
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
   * A line ended. Counted only if it was in flight, so a duplicate report (or one from a run that a
   * later pass already counted) changes nothing. UNRESOLVED frees the slot without counting the line.
   */
  report(report: LineReport): void {
    if (!this.inFlight.delete(report.lineNumber)) return;
    if (report.status !== 'UNRESOLVED') this.countFinal(report.status);
  }

  progress(total: number): BulkProgress {
    const processing = this.inFlight.size;
    const { completed, failed } = this.counts;
    return { total, completed, failed, processing, pending: Math.max(0, total - completed - failed - processing) };
  }

  snapshot(): { inFlight: number[]; counts: { completed: number; failed: number } } {
    return { inFlight: [...this.inFlight], counts: { ...this.counts } };
  }
}
