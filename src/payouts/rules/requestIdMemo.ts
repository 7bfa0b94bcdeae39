/**
 * The API request that started a bulk, carried for tracing: the upload's X-Request-Id is stored in the bulk
 * workflow's memo, copied by the bulk workflow into each line workflow's memo, and handed by the line workflow
 * to its activities, whose log lines carry it. A memo (not an input field) so that operators see it in the Web
 * UI and `describe()`, and so that a bulk started without a request (monthly run, sweep) simply has none.
 * Workflow-safe: no I/O, reads only the memo it is given.
 */

/** Memo key; also the field of ActivityTrace, so log lines and memos use one name. */
const REQUEST_ID_MEMO_KEY = 'requestId';

/** What a line's workflow gives each of its activities, for their log lines only (never for decisions). */
export interface ActivityTrace {
  requestId?: string;
}

/** The memo to start a workflow with: empty when there is no request id, so no memo is written at all. */
export function requestIdMemo(requestId: string | undefined): Record<string, string> | undefined {
  return requestId ? { [REQUEST_ID_MEMO_KEY]: requestId } : undefined;
}

/** The request id in a workflow's memo (workflowInfo().memo), if any and if it is a string. */
export function requestIdOf(memo: Record<string, unknown> | undefined): string | undefined {
  const value = memo?.[REQUEST_ID_MEMO_KEY];
  return typeof value === 'string' ? value : undefined;
}
