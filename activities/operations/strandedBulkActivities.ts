/** The I/O of the stranded-bulk sweep: finding uploaded bulks whose payout workflow was never started. */
import type { ActivityDependencies } from '../dependencies';

export interface StrandedBulkQuery {
  /** Only bulks PENDING for longer than this: a fresh upload is started by the API itself a moment later. */
  pendingForSeconds: number;
  limit: number;
  /** Only these organizations' bulks (a sweep started by hand for one fund); all when absent. */
  organizationIds?: number[];
}

export function createStrandedBulkActivities(deps: ActivityDependencies) {
  const { db } = deps;

  /**
   * Uploaded bulks still PENDING: their funds are reserved but their workflow never ran its first step (the API
   * stopped between committing the upload and starting the workflow, or Temporal was unreachable then). Bulks
   * of a monthly run are left out: the run's own workflow starts them and waits for them. So are the bulks of a
   * deactivated organization: they stay PENDING, funds reserved, and the first sweep after its reactivation
   * starts them.
   */
  async function listStrandedBulks(query: StrandedBulkQuery): Promise<string[]> {
    const rows = await db('bulk_transfers as b')
      .join('organizations as o', 'o.id', 'b.organization_id')
      .where('b.state', 'PENDING')
      .where('b.source', 'UPLOAD')
      .where('o.is_active', true)
      .whereRaw(`b.created_at < now() - make_interval(secs => ?)`, [query.pendingForSeconds])
      .modify((builder) => {
        if (query.organizationIds) builder.whereIn('b.organization_id', query.organizationIds);
      })
      .orderBy('b.created_at')
      .limit(query.limit)
      // Last: modify() forgets the row type.
      .select<Array<{ bulk_id: string }>>('b.bulk_id');
    return rows.map((row) => row.bulk_id);
  }

  return { listStrandedBulks };
}
