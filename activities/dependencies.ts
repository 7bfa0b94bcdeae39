/** What the payout activities are given by the worker: no module here reads config or opens connections itself. */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { SchemeAdapterClient } from '../src/payouts/schemeAdapterClient';
import type { TemporalHandle } from '../src/clients/temporal';
import type { MailSettings } from '../src/mail/mailer';
import type { WebhookAddressPolicy } from '../src/webhooks/rules/addressRules';
import type { LineRetry } from '../src/payouts/contract';
import type { WebhookRetry } from '../src/webhooks/contract';

/** The four calls of the scheme adapter's outbound API the payout steps use. */
export type PayoutAdapter = Pick<SchemeAdapterClient, 'startTransfer' | 'acceptParty' | 'acceptQuote' | 'getTransfer'>;

export interface PayoutSettings {
  /** config().mojaloop.maxFeeMinorUnits: a quote whose payee fee is above this fails the line, unpaid. */
  maxFeeMinorUnits: bigint;
  /** config().bulk.payoutConcurrency: lines of one bulk paid at the same time (child workflows in flight). */
  payoutConcurrency: number;
  /** config().bulk.pageSize: lines read per page; the bulk workflow continues-as-new after this many children. */
  pageSize: number;
  /** config().bulk.approvalTimeoutHours in ms: how long a bulk awaits approval; the configuration's default when absent. */
  approvalTimeoutMs?: number;
  /** config().mojaloop.transferExpiryMs: how long a sent transfer may still commit; 90 s when absent. */
  transferExpiryMs?: number;
  /** config().payeeNameCheck: below `matchThreshold` a line is held; a hold waits `holdMs` (tests set it short). */
  payeeNameCheck?: { matchThreshold: number; holdMs: number };
  /**
   * The public keys of decision tokens (src/payouts/decisionTokenKeys.ts decisionPublicKeys(SECRET_KEY)): given to
   * the workflows for their validators, and used by the activities recording a decision. Absent: every
   * maker-checker decision is refused.
   */
  decisionKeys?: readonly string[];
  /** config().bulk.lineRetry: the retry of a line's steps before sending; the workflow's defaults when absent. */
  lineRetry?: LineRetry;
  /** config().payeeNameCheck.overdueHoldGraceMs: after a hold's deadline, when the bulk fails a held line itself. */
  overdueHoldGraceMs?: number;
}

export interface PensionSettings {
  /** config().pension.proofOfLifeMaxAgeMonths: an older proof of life holds the beneficiary out of a monthly run. */
  proofOfLifeMaxAgeMonths: number;
}

export interface WebhookSettings {
  /** config().webhooks.addressPolicy; the configuration's default (by NODE_ENV) when absent. */
  addressPolicy?: WebhookAddressPolicy;
  /** config().webhooks.timeoutMs: one attempt's whole time. */
  timeoutMs?: number;
  /** config().webhooks.retry: each delivery's workflow retry (src/webhooks/contract.ts); the workflow's when absent. */
  retry?: WebhookRetry;
  /** config().webhooks.disableAfterMs: how long an endpoint may fail before it is disabled; the default when absent. */
  disableAfterMs?: number;
  /** config().email, to tell an organization its endpoint was disabled; without it, only logged. */
  mail?: MailSettings;
  /** config().http.publicBaseUrl, named in that mail. */
  consoleUrl?: string;
}

export interface ActivityDependencies {
  db: Knex;
  adapter: PayoutAdapter;
  settings: PayoutSettings;
  /** For the monthly pension runs; without it, the configuration's default (12 months). */
  pension?: PensionSettings;
  /** Where the payout activities log (each line stamped with bulk, transfer, workflow, attempt, request id); the process logger when absent. */
  log?: Logger;
  /** For operator requests sent on to a bulk's workflow (retry-failed from the Web UI); absent: they are refused. */
  temporal?: { handle: TemporalHandle; taskQueue: string };
  /** Webhook deliveries; the configuration's defaults when absent. */
  webhooks?: WebhookSettings;
  /** The clock, for deciding whether a sent transfer has expired and which pension period is the current one. */
  now?: () => Date;
}
