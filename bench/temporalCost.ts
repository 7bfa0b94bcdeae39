/**
 * What a line costs Temporal, read from the real histories of a run (not from what the code is meant to do): the
 * events in a line's own history, the events it adds to its bulk's histories (over every continue-as-new run),
 * its search-attribute upserts and workflow tasks; and, for a bulk of any size, its runs, the longest history of
 * any run and of any line, and its slowest workflow task (the server fails a task that takes 10 s).
 */
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface HistoryFigures {
  events: number;
  bytes: number;
}

export interface TemporalCost {
  lines: number;
  linesRead: number;
  /** Per line, averaged over the lines read. */
  line: { events: number; workflowTasks: number; upserts: number; markers: number; signalsSent: number };
  /** The bulk's events over all its runs, divided by the bulk's lines. */
  bulkPerLine: { events: number; workflowTasks: number; byType: Record<string, number> };
  bulkRuns: number;
  longestBulkRun: HistoryFigures;
  longestLine: HistoryFigures;
  /** The slowest workflow task of the bulk (started -> completed, as the server recorded it). */
  slowestBulkTask: { ms: number; eventId: number; historyBytesBefore: number };
}

/**
 * `bulkWorkflowId`: every run of it is read; `lineWorkflowIds`: the lines to read (all, or an even sample of a
 * large bulk), `lines`: how many lines the bulk has.
 */
export async function measureTemporalCost(
  client: Client,
  bulkWorkflowId: string,
  lineWorkflowIds: string[],
  lines: number,
): Promise<TemporalCost> {
  const runs: HistoryEvent[][] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${bulkWorkflowId}'` })) {
    runs.push(await eventsOf(client, bulkWorkflowId, execution.runId));
  }
  const bulkEvents = runs.flat();
  const byType: Record<string, number> = {};
  for (const event of bulkEvents) {
    const name = typeName(event);
    byType[name] = (byType[name] ?? 0) + 1 / lines;
  }

  const line = { events: 0, workflowTasks: 0, upserts: 0, markers: 0, signalsSent: 0 };
  let longestLine: HistoryFigures = { events: 0, bytes: 0 };
  for (const workflowId of lineWorkflowIds) {
    const events = await eventsOf(client, workflowId);
    line.events += events.length;
    line.workflowTasks += countOf(events, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    line.upserts += countOf(events, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
    line.markers += countOf(events, EventType.EVENT_TYPE_MARKER_RECORDED);
    line.signalsSent += countOf(events, EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
    const figures = figuresOf(events);
    if (figures.events > longestLine.events) longestLine = figures;
  }
  const read = Math.max(1, lineWorkflowIds.length);
  for (const key of Object.keys(line) as Array<keyof typeof line>) line[key] /= read;

  return {
    lines,
    linesRead: lineWorkflowIds.length,
    line,
    bulkPerLine: {
      events: bulkEvents.length / lines,
      workflowTasks: countOf(bulkEvents, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) / lines,
      byType,
    },
    bulkRuns: runs.length,
    longestBulkRun: runs.map(figuresOf).reduce((a, b) => (b.events > a.events ? b : a), { events: 0, bytes: 0 }),
    longestLine,
    slowestBulkTask: runs
      .map(slowestTask)
      .reduce((a, b) => (b.ms > a.ms ? b : a), { ms: 0, eventId: 0, historyBytesBefore: 0 }),
  };
}

/** Lines to read: all of a small bulk, an even sample of `sample` lines of a large one. */
export function sampleLineNumbers(lines: number, sample: number): number[] {
  if (lines <= sample) return Array.from({ length: lines }, (_, i) => i + 1);
  return Array.from({ length: sample }, (_, i) => 1 + Math.floor((i * lines) / sample));
}

async function eventsOf(client: Client, workflowId: string, runId?: string): Promise<HistoryEvent[]> {
  return (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
}

function countOf(events: HistoryEvent[], type: number): number {
  return events.filter((event) => Number(event.eventType) === type).length;
}

function typeName(event: HistoryEvent): string {
  return (EventType[event.eventType ?? 0] ?? 'unknown').replace(/^EVENT_TYPE_/, '').toLowerCase();
}

function figuresOf(events: HistoryEvent[]): HistoryFigures {
  return { events: events.length, bytes: temporal.api.history.v1.History.encode({ events }).finish().length };
}

function slowestTask(events: HistoryEvent[]): TemporalCost['slowestBulkTask'] {
  const startedAt = new Map<number, number>();
  let slowest = { ms: 0, eventId: 0, historyBytesBefore: 0 };
  for (const event of events) {
    const id = Number(event.eventId);
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) startedAt.set(id, tsToMs(event.eventTime));
    if (event.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) continue;
    const started = startedAt.get(Number(event.workflowTaskCompletedEventAttributes?.startedEventId));
    if (started === undefined) continue;
    const ms = tsToMs(event.eventTime) - started;
    if (ms > slowest.ms) slowest = { ms, eventId: id, historyBytesBefore: 0 };
  }
  if (slowest.eventId > 0)
    slowest.historyBytesBefore = figuresOf(events.filter((e) => Number(e.eventId) < slowest.eventId)).bytes;
  return slowest;
}
