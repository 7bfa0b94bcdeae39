/**
 * The use-cases of the /api/pension-runs reads: the organization's monthly runs, newest period first, and one run
 * with who was held out and its payout counts. Money as bigint minor units, times as ISO 8601.
 */
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import { notFound } from '../organizations/organizationScope';
import type { RequestScope } from '../requests/requestScope';
import type { HeldOutBeneficiary } from './store/periodBulkStore';
import { findPensionRun, listPensionRuns, type PensionRunSummary } from './store/runReadStore';

export async function pensionRunList(
  scope: RequestScope,
  user: AuthenticatedUser,
  page: { limit: number; offset: number },
) {
  const { total, results } = await listPensionRuns(scope.db, user.organizationId!, page.limit, page.offset);
  return { total, count: results.length, ...page, results: results.map(runView) };
}

export async function pensionRunOf(scope: RequestScope, user: AuthenticatedUser, period: string) {
  const run = await findPensionRun(scope.db, user.organizationId!, period);
  if (!run) throw notFound();
  return {
    ...runView(run), // As the run wrote it (src/pensions/store/periodBulkStore.ts, selectionColumns).
    held_out: run.held_out as HeldOutBeneficiary[],
    transfers: run.transfers,
  };
}

// Spelled out, so a column added to the read is a choice here, not a leak.
function runView(run: PensionRunSummary) {
  return {
    period: run.period,
    state: run.state,
    failure_reason: run.failure_reason,
    failure_details: run.failure_details,
    bulk_id: run.bulk_id,
    bulk_state: run.bulk_state,
    payer_account: run.payer_account,
    eligible_count: run.eligible_count,
    held_out_count: run.held_out_count,
    total_amount: BigInt(run.total_amount),
    currency: run.currency,
    workflow_id: run.workflow_id,
    created_at: run.created_at.toISOString(),
    updated_at: run.updated_at.toISOString(),
    completed_at: run.completed_at === null ? null : run.completed_at.toISOString(),
  };
}
