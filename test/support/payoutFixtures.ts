/**
 * Bulks inserted straight into the database, as the upload leaves them: PENDING lines, the total reserved on
 * the payer account (through the journal, as the upload does). Used by the payout tests instead of the API.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { applyAccountChange } from '../../src/accounts/store/journalStore';
import { fundForTest } from './accountFunding';

export interface PayerAccount {
  organizationId: number;
  organizationCode: string;
  accountId: number;
}

export async function createPayerAccount(knex: Knex, balance: bigint): Promise<PayerAccount> {
  const code = `ORG${randomUUID().slice(0, 8).toUpperCase()}`;
  const [organization] = await knex('organizations')
    .insert({ code, name: `Caisse ${code}` })
    .returning('id');
  const [account] = await knex('accounts')
    .insert({
      account_id: `ACC-${code}`,
      organization_id: organization.id,
      party_id_type: 'MSISDN',
      party_identifier: '22961000001',
      currency: 'XOF',
    })
    .returning('id');
  await fundForTest(knex, account.id, balance);
  return { organizationId: organization.id, organizationCode: code, accountId: account.id };
}

export interface BulkLine {
  msisdn: string;
  amount: bigint;
}

export interface InsertedBulk {
  bulkId: string;
  transferIds: string[];
  total: bigint;
}

/**
 * A bulk as the upload leaves it: PENDING, its lines PENDING, its total reserved on the payer account. A test
 * that runs a line's workflow without the bulk's asks for `state: 'PROCESSING'`, as the bulk workflow leaves it.
 */
export async function insertBulk(
  knex: Knex,
  payer: PayerAccount,
  lines: BulkLine[],
  options: { state?: 'PENDING' | 'PROCESSING' | 'AWAITING_APPROVAL'; approvalRequired?: boolean } = {},
): Promise<InsertedBulk> {
  const bulkId = randomUUID();
  const total = lines.reduce((sum, line) => sum + line.amount, 0n);
  const transferIds = lines.map(() => randomUUID());
  await knex.transaction(async (trx) => {
    await trx('bulk_transfers').insert({
      bulk_id: bulkId,
      organization_id: payer.organizationId,
      payer_account_id: payer.accountId,
      total_amount: total.toString(),
      currency: 'XOF',
      transfers_count: lines.length,
      source: 'UPLOAD',
      file_name: 'pensions.csv',
      state: options.state ?? 'PENDING',
      approval_required: options.approvalRequired ?? options.state === 'AWAITING_APPROVAL',
    });
    const rows = lines.map((line, index) => ({
      transfer_id: transferIds[index],
      bulk_id: bulkId,
      line_number: index + 1,
      payee_party_id_type: 'MSISDN',
      payee_party_identifier: line.msisdn,
      amount: line.amount.toString(),
      currency: 'XOF',
    }));
    for (let start = 0; start < rows.length; start += 500)
      await trx('individual_transfers').insert(rows.slice(start, start + 500));
    await applyAccountChange(trx, { accountId: payer.accountId, kind: 'reserve', amount: total, bulkId });
  });
  return { bulkId, transferIds, total };
}

/** The bulk's line rows, in line order (the rows as knex reads them). */
export function linesOfBulk(knex: Knex, bulkId: string) {
  return knex('individual_transfers').where('bulk_id', bulkId).orderBy('line_number');
}

export async function completedLineCount(knex: Knex, bulkId: string): Promise<number> {
  const [row] = await knex('individual_transfers')
    .where({ bulk_id: bulkId, status: 'COMPLETED' })
    .count<{ count: string }[]>('* as count');
  return Number(row?.count ?? 0);
}

export async function accountMoney(knex: Knex, accountId: number): Promise<{ balance: bigint; reserved: bigint }> {
  const row = await knex('accounts').where('id', accountId).first('balance', 'reserved');
  return { balance: BigInt(row.balance), reserved: BigInt(row.reserved) };
}

/**
 * Sets a bulk's columns even to a state Postgres refuses (an ended bulk with a line still waiting, which
 * bulk_closes_when_lines_final forbids), triggers off for this one statement: for the tests that show the payment
 * gate refusing such a bulk too, whatever let it come about.
 */
export async function forceBulkColumns(knex: Knex, bulkId: string, columns: Record<string, unknown>): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await trx('bulk_transfers').where('bulk_id', bulkId).update(columns);
  });
}
