/** The monthly pension run's I/O: building the period's bulk (once), and recording how its payout ended. */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { buildConfig } from '../../src/config';
import {
  createPeriodBulk as buildPeriodBulk,
  finishPensionRun as closeRun,
} from '../../src/pensions/store/periodBulkStore';
import { scheduledRunOf } from '../../src/pensions/scheduleClient';
import type { ActivityDependencies } from '../dependencies';
import { refusalsAsFailures } from '../refusals';
import type { PeriodBulkInput, PeriodBulkOutcome } from '../../src/pensions/contract';

/** The configuration's default, read without the environment: the worker passes the configured value. */
const DEFAULT_PROOF_OF_LIFE_MAX_AGE_MONTHS = buildConfig({}).pension.proofOfLifeMaxAgeMonths;

export function createPensionRunActivities(deps: ActivityDependencies) {
  const { db } = deps;
  const proofOfLifeMaxAgeMonths = deps.pension?.proofOfLifeMaxAgeMonths ?? DEFAULT_PROOF_OF_LIFE_MAX_AGE_MONTHS;

  /**
   * Builds the period's bulk and reserves its funds, or finds the one an earlier trigger built. A run its
   * organization's schedule would not start (src/pensions/rules/runRules.ts) is refused, never retried.
   */
  async function createPeriodBulk(input: PeriodBulkInput): Promise<PeriodBulkOutcome> {
    const { info } = Context.current();
    const temporal = deps.temporal;
    if (!temporal)
      throw ApplicationFailure.nonRetryable('This worker has no Temporal client to read schedules', 'NotConfigured');
    const workflowId = info.workflowExecution?.workflowId ?? null;
    // Temporal's clock fired the schedule: a worker clock a little behind it must not take the period the schedule
    // has just begun (00:00 on the 1st) for a future one.
    const now = new Date(Math.max((deps.now?.() ?? new Date()).getTime(), info.currentAttemptScheduledTimestampMs));
    return refusalsAsFailures(async () => {
      const schedule = await scheduledRunOf(db, temporal.handle, input.organizationId);
      return buildPeriodBulk(db, { ...input, proofOfLifeMaxAgeMonths, workflowId, schedule, now });
    });
  }

  async function finishPensionRun(input: {
    organizationId: number;
    period: string;
  }): Promise<PeriodBulkOutcome | null> {
    return closeRun(db, input.organizationId, input.period);
  }

  return { createPeriodBulk, finishPensionRun };
}

export type PensionRunActivities = ReturnType<typeof createPensionRunActivities>;
