/**
 * Names shared by the payout workflows and their callers (the API's client, tests): inputs and results,
 * the progress query, the signal a line sends when it ends, and the search attributes. No I/O here.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BulkProgress } from '../src/payouts/types';

export const BULK_ID = defineSearchAttributeKey('BulkId', SearchAttributeType.KEYWORD);
export const ORGANIZATION_CODE = defineSearchAttributeKey('OrganizationCode', SearchAttributeType.KEYWORD);
export const PAYEE_IDENTIFIER = defineSearchAttributeKey('PayeeIdentifier', SearchAttributeType.KEYWORD);
export const PAYOUT_STATUS = defineSearchAttributeKey('PayoutStatus', SearchAttributeType.KEYWORD);

export const progressQuery = defineQuery<BulkProgress>('progress');

/** UNRESOLVED: the line's workflow failed without making the line final; the bulk retries it in its next pass. */
export interface LineReport {
  lineNumber: number;
  status: 'COMPLETED' | 'FAILED' | 'UNRESOLVED';
}

/**
 * Sent by a line's workflow to the bulk workflow (by workflow id, so it reaches whichever run is current):
 * a bulk that has continued-as-new cannot await children started by an earlier run.
 */
export const lineFinishedSignal = defineSignal<[LineReport]>('lineFinished');

export interface BulkSettings {
  total: number;
  organizationCode: string;
  concurrency: number;
  pageSize: number;
}

export interface BulkPayoutInput {
  bulkId: string;
  /** The rest is carried by continue-as-new; a fresh start gives only the bulk id. */
  settings?: BulkSettings;
  /** Last line number already started or counted. */
  cursor?: number;
  counts?: { completed: number; failed: number };
  /** Lines whose workflows were started and have not reported yet (at most `concurrency`). */
  inFlight?: number[];
  /** Passes over the bulk: a pass that ends with unfinished lines is followed by another, a bounded number of times. */
  pass?: number;
}

export interface BulkPayoutResult {
  bulkId: string;
  state: 'COMPLETED' | 'FAILED';
  total: number;
  completed: number;
  failed: number;
}

export interface PayoutTransferInput {
  transferId: string;
  lineNumber?: number;
  /** Workflow id of the bulk workflow to signal when the line ends; omitted for a line paid on its own. */
  reportTo?: string;
}

export interface PayoutTransferResult {
  transferId: string;
  status: 'COMPLETED' | 'FAILED';
  failureCode?: string;
}
