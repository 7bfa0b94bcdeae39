/**
 * A month's pension run, started by the organization's Temporal Schedule (or triggered by hand): works out the
 * period, has the period's bulk built once (eligible beneficiaries, funds reserved), then pays it as a child
 * workflow under the bulk's usual workflow id and records how it ended. Thin: every decision with I/O is in
 * the activities (activities/pensions/pensionRunActivities.ts).
 */
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PensionRunActivities } from '../../activities/pensions/pensionRunActivities';
import { DEFAULT_TIME_ZONE, periodOf } from '../../src/pensions/rules/pensionPeriod';
import type { MonthlyPensionRunInput, PeriodBulkOutcome } from '../../src/pensions/contract';
import { bulkChildOptions } from '../payouts/bulkChild';
import { bulkPayoutWorkflow } from '../payouts/bulkPayoutWorkflow';

/** Set by the Schedule on each workflow it starts: the time the action was due, even if it started late. */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

const database = proxyActivities<PensionRunActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function monthlyPensionRunWorkflow(input: MonthlyPensionRunInput): Promise<PeriodBulkOutcome> {
  const period = input.period ?? periodOf(scheduledTime(), input.timeZone ?? DEFAULT_TIME_ZONE);
  const run = await database.createPeriodBulk({
    organizationId: input.organizationId,
    payerAccountId: input.payerAccountId,
    period,
  });
  if (run.state !== 'PROCESSING' || run.bulkId === null) return run;

  await payBulk(run.bulkId);
  const finished = await database.finishPensionRun({ organizationId: input.organizationId, period });
  return finished ? { ...finished, created: run.created } : run;
}

/** When started by the Schedule, the time it was due; otherwise (started by hand) when this run started. */
function scheduledTime(): Date {
  const info = workflowInfo();
  return info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.runStartTime;
}

/**
 * The bulk's own workflow id makes this idempotent: if an earlier run of this workflow started it already, it is
 * not started again (a bulk that ended is never re-run; one that failed as a workflow may be).
 */
async function payBulk(bulkId: string): Promise<void> {
  try {
    await executeChild(bulkPayoutWorkflow, bulkChildOptions(bulkId, 'monthly pension run'));
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
