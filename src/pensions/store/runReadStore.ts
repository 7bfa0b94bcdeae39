/** The monthly runs as the API shows them. A run with a bulk reports the bulk's live state and counts. */
import type { Knex } from 'knex';

export interface PensionRunSummary {
  period: string;
  state: 'PROCESSING' | 'COMPLETED' | 'FAILED';
  failure_reason: string | null;
  failure_details: unknown;
  bulk_id: string | null;
  bulk_state: string | null;
  payer_account: string;
  eligible_count: number;
  held_out_count: number;
  /** Minor units, decimal string. */
  total_amount: string;
  currency: string | null;
  workflow_id: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

export interface PensionRunDetails extends PensionRunSummary {
  held_out: unknown[];
  transfers: { completed: number; failed: number; pending: number; processing: number };
}

function runsQuery(knex: Knex, organizationId: number): Knex.QueryBuilder {
  return knex('pension_runs as r')
    .join('accounts as a', 'a.id', 'r.payer_account_id')
    .leftJoin('bulk_transfers as b', 'b.bulk_id', 'r.bulk_id')
    .where('r.organization_id', organizationId)
    .select(
      'r.period',
      'r.state',
      'r.failure_reason',
      'r.failure_details',
      'r.bulk_id',
      'b.state as bulk_state',
      'a.account_id as payer_account',
      'r.eligible_count',
      'r.held_out_count',
      'r.total_amount',
      knex.raw('trim(r.currency) as currency'),
      'r.workflow_id',
      'r.created_at',
      'r.updated_at',
      'r.completed_at',
    );
}

/** While a run's row still says PROCESSING, a bulk that has closed already tells the outcome. */
function withBulkState<T extends PensionRunSummary>(run: T): T {
  if (run.state === 'PROCESSING' && (run.bulk_state === 'COMPLETED' || run.bulk_state === 'FAILED')) {
    return { ...run, state: run.bulk_state, failure_reason: run.bulk_state === 'FAILED' ? 'bulk_failed' : null };
  }
  return run;
}

export async function listPensionRuns(
  knex: Knex,
  organizationId: number,
  limit: number,
  offset: number,
): Promise<{ total: number; results: PensionRunSummary[] }> {
  const [counted] = await knex('pension_runs')
    .where('organization_id', organizationId)
    .count<Array<{ count: string }>>({ count: '*' });
  const rows = await runsQuery(knex, organizationId)
    .orderBy('r.period', 'desc')
    .limit(limit)
    .offset(offset)
    .select<PensionRunSummary[]>();
  return { total: Number(counted?.count ?? 0), results: rows.map(withBulkState) };
}

export async function findPensionRun(
  knex: Knex,
  organizationId: number,
  period: string,
): Promise<PensionRunDetails | null> {
  const row = await runsQuery(knex, organizationId)
    .where('r.period', period)
    .first<(PensionRunSummary & { held_out: unknown[] }) | undefined>('r.held_out');
  if (!row) return null;
  const transfers = { completed: 0, failed: 0, pending: 0, processing: 0 };
  if (row.bulk_id !== null) {
    const counts = await knex('individual_transfers')
      .where('bulk_id', row.bulk_id)
      .groupBy('status')
      .select<Array<{ status: string; count: string }>>('status', knex.raw('count(*) as count'));
    for (const { status, count } of counts) transfers[status.toLowerCase() as keyof typeof transfers] = Number(count);
  }
  return { ...withBulkState(row), transfers };
}
