/**
 * A monthly run builds nothing unless its organization's schedule starts runs from the account it pays from
 * (src/pensions/rules/runRules.ts): tests that start monthlyPensionRunWorkflow themselves give the organization that
 * schedule first, made by the API's own code, on a day that does not come during the test.
 */
import type { TemporalHandle } from '../../src/clients/temporal';
import { dayIn } from '../../src/pensions/rules/pensionPeriod';
import { createPensionSchedule } from '../../src/pensions/scheduleClient';
import { db } from './database';
import { createUser } from './fixtures';

export interface ScheduledFund {
  organizationId: number;
  code: string;
  accountId: number;
}

const TIME_ZONE = 'Africa/Porto-Novo';

/** Creates the fund's schedule (its id returned), due two weeks from today so it never fires during the test. */
export async function scheduleMonthlyRuns(
  temporal: TemporalHandle,
  taskQueue: string,
  fund: ScheduledFund,
): Promise<string> {
  const { user, email } = await createUser({ organizationId: fund.organizationId, role: 'GESTIONNAIRE' });
  const today = Number(dayIn(new Date(), TIME_ZONE).slice(8));
  return createPensionSchedule(
    db(),
    temporal,
    taskQueue,
    {
      organizationId: fund.organizationId,
      organizationCode: fund.code,
      payerAccountId: fund.accountId,
      // Days 1-28 only: at least 12 days away from today, whichever month it is.
      dayOfMonth: ((today + 13) % 28) + 1,
      hour: 3,
      minute: 0,
      timeZone: TIME_ZONE,
    },
    { actor: { userId: user.id, email }, requestId: null, organizationId: fund.organizationId },
  );
}
