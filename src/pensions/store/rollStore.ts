/**
 * The pension roll in Postgres: importing a checked file (one transaction: all of it or nothing), reading it,
 * and the two changes made one beneficiary at a time (status, proof of life).
 */
import type { Knex } from 'knex';
import type { BeneficiaryStatus } from '../rules/pensionEligibility';
import type { RollEntry } from '../rules/rollCsv';

/** A beneficiary as the API shows it; money as a decimal string of minor units, dates YYYY-MM-DD. */
export interface Beneficiary {
  id: number;
  organization_id: number;
  party_id_type: string;
  party_identifier: string;
  full_name: string;
  monthly_amount: string;
  currency: string;
  status: BeneficiaryStatus;
  status_reason: string | null;
  last_proof_of_life: string | null;
  start_date: string | null;
  end_date: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Dates read as text: the pg driver would turn a `date` into a Date at local midnight. */
export function beneficiaryColumns(knex: Knex, alias = 'beneficiaries'): Array<string | Knex.Raw> {
  const date = (column: string): Knex.Raw =>
    knex.raw(`to_char(??, 'YYYY-MM-DD') as ??`, [`${alias}.${column}`, column]);
  return [
    `${alias}.id`,
    `${alias}.organization_id`,
    `${alias}.party_id_type`,
    `${alias}.party_identifier`,
    `${alias}.full_name`,
    `${alias}.monthly_amount`,
    knex.raw(`trim(??) as currency`, [`${alias}.currency`]),
    `${alias}.status`,
    `${alias}.status_reason`,
    date('last_proof_of_life'),
    date('start_date'),
    date('end_date'),
    `${alias}.created_at`,
    `${alias}.updated_at`,
  ];
}

export interface ImportCounts {
  added: number;
  updated: number;
  unchanged: number;
}

/** Taken for the import's transaction: two imports of one organization's roll are applied one after the other. */
const ROLL_LOCK_CLASS = 0x524f4c4c; // "ROLL"

/**
 * Upserts by party (type and identifier). Values not given keep what is stored; a proof of life older than the
 * stored one does not replace it (an old export imported again must not undo a proof recorded since).
 */
export async function importRoll(
  knex: Knex,
  organizationId: number,
  entries: readonly RollEntry[],
): Promise<ImportCounts> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?, ?)', [ROLL_LOCK_CLASS, organizationId]);
    const existing = new Map<string, Beneficiary>();
    const rows = await trx('beneficiaries')
      .where('organization_id', organizationId)
      .select<Beneficiary[]>(beneficiaryColumns(trx));
    for (const row of rows) existing.set(partyKey(row.party_id_type, row.party_identifier), row);

    const counts: ImportCounts = { added: 0, updated: 0, unchanged: 0 };
    const inserts: Array<Record<string, unknown>> = [];
    for (const entry of entries) {
      const current = existing.get(partyKey(entry.partyIdType, entry.identifier));
      if (!current) {
        inserts.push(newRow(organizationId, entry));
        counts.added += 1;
        continue;
      }
      const changes = changedColumns(current, entry);
      if (Object.keys(changes).length === 0) {
        counts.unchanged += 1;
        continue;
      }
      await trx('beneficiaries')
        .where('id', current.id)
        .update({ ...changes, updated_at: trx.fn.now() });
      counts.updated += 1;
    }
    for (let start = 0; start < inserts.length; start += 1000)
      await trx('beneficiaries').insert(inserts.slice(start, start + 1000));
    return counts;
  });
}

function partyKey(type: string, identifier: string): string {
  return `${type}\u0000${identifier}`;
}

function newRow(organizationId: number, entry: RollEntry): Record<string, unknown> {
  return {
    organization_id: organizationId,
    party_id_type: entry.partyIdType,
    party_identifier: entry.identifier,
    full_name: entry.fullName,
    monthly_amount: entry.monthlyAmount.toString(),
    currency: entry.currency,
    status: entry.status ?? 'ACTIVE',
    last_proof_of_life: entry.lastProofOfLife ?? null,
    start_date: entry.startDate ?? null,
    end_date: entry.endDate ?? null,
  };
}

function changedColumns(current: Beneficiary, entry: RollEntry): Record<string, string> {
  const wanted: Record<string, string | undefined> = {
    full_name: entry.fullName,
    monthly_amount: entry.monthlyAmount.toString(),
    currency: entry.currency,
    status: entry.status,
    start_date: entry.startDate,
    end_date: entry.endDate,
  };
  if (
    entry.lastProofOfLife !== undefined &&
    (current.last_proof_of_life === null || entry.lastProofOfLife > current.last_proof_of_life)
  ) {
    wanted.last_proof_of_life = entry.lastProofOfLife;
  }
  const changes: Record<string, string> = {};
  for (const [column, value] of Object.entries(wanted)) {
    if (value !== undefined && value !== current[column as keyof Beneficiary]) changes[column] = value;
  }
  // A status given by the file replaces the reason recorded with the previous one.
  if (changes.status !== undefined) (changes as Record<string, string | null>).status_reason = null;
  return changes;
}

export interface RollFilters {
  status: BeneficiaryStatus | null;
  /** Part of the name or of the identifier, any case. */
  q: string | null;
  /** YYYY-MM-DD: proof of life older than this day, or none at all. */
  proofOfLifeBefore: string | null;
  limit: number;
  offset: number;
}

export async function listBeneficiaries(
  knex: Knex,
  organizationId: number,
  filters: RollFilters,
): Promise<{ total: number; results: Beneficiary[] }> {
  const query = knex('beneficiaries').where('organization_id', organizationId);
  if (filters.status) query.where('status', filters.status);
  if (filters.q) {
    const pattern = `%${filters.q.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    // A block, not an expression: a query builder is a thenable, and knex wants nothing back from a grouping callback.
    query.where((where) => {
      where.whereILike('full_name', pattern).orWhereILike('party_identifier', pattern);
    });
  }
  if (filters.proofOfLifeBefore) {
    const before = filters.proofOfLifeBefore;
    query.where((where) => {
      where.whereNull('last_proof_of_life').orWhere('last_proof_of_life', '<', before);
    });
  }
  const [counted] = await query.clone().count<Array<{ count: string }>>({ count: '*' });
  const results = await query
    .orderBy('id')
    .limit(filters.limit)
    .offset(filters.offset)
    .select<Beneficiary[]>(beneficiaryColumns(knex));
  return { total: Number(counted?.count ?? 0), results };
}

export async function findBeneficiary(knex: Knex, id: number): Promise<Beneficiary | null> {
  const row = await knex('beneficiaries').where('id', id).first<Beneficiary | undefined>(beneficiaryColumns(knex));
  return row ?? null;
}

export async function setBeneficiaryStatus(
  knex: Knex,
  id: number,
  status: BeneficiaryStatus,
  reason: string | null,
): Promise<void> {
  await knex('beneficiaries').where('id', id).update({ status, status_reason: reason, updated_at: knex.fn.now() });
}

export async function recordProofOfLife(knex: Knex, id: number, date: string): Promise<void> {
  await knex('beneficiaries').where('id', id).update({ last_proof_of_life: date, updated_at: knex.fn.now() });
}
