/** The monthly pension run's I/O: building the period's bulk (once), and recording how its payout ended. */
import { Context } from '@temporalio/activity';
import { buildConfig } from '../src/config';
import {
  createPeriodBulk as buildPeriodBulk,
  finishPensionRun as closeRun,
  type PeriodBulkOutcome,
} from '../src/pensions/periodBulk';
import type { ActivityDependencies } from './dependencies';

export interface PeriodBulkInput {
  organizationId: number;
  payerAccountId: number;
  /** YYYY-MM */
  period: string;
}

/** The configuration's default, read without the environment: the worker passes the configured value. */
const DEFAULT_PROOF_OF_LIFE_MAX_AGE_MONTHS = buildConfig({}).pension.proofOfLifeMaxAgeMonths;

export function createPensionRunActivities(deps: ActivityDependencies) {
  const { db } = deps;
  const proofOfLifeMaxAgeMonths = deps.pension?.proofOfLifeMaxAgeMonths ?? DEFAULT_PROOF_OF_LIFE_MAX_AGE_MONTHS;

  /** Builds the period's bulk and reserves its funds, or finds the one an earlier trigger built. */
  async function createPeriodBulk(input: PeriodBulkInput): Promise<PeriodBulkOutcome> {
    const workflowId = Context.current().info.workflowExecution?.workflowId ?? null;
    return buildPeriodBulk(db, { ...input, proofOfLifeMaxAgeMonths, workflowId });
  }

  async function finishPensionRun(input: {
    organizationId: number;
    period: string;
  }): Promise<PeriodBulkOutcome | null> {
    return closeRun(db, input.organizationId, input.period);
  }

  return { createPeriodBulk, finishPensionRun };
}
