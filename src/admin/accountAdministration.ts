/**
 * Payer accounts as staff manage them: open one for an organization, and record a deposit (money that arrived
 * from the fund's treasury). A deposit goes through the journal's `fund` (src/accounts/funding.ts), the only
 * writer of a balance, with its audit record in the same transaction; a replayed deposit (same Idempotency-Key)
 * adds neither a journal entry nor an audit record.
 */
import { UniqueViolationError } from 'objection';
import { findAccount } from '../accounts/accountReads';
import type { JournalRow } from '../accounts/accountJournal';
import { fundAccount } from '../accounts/funding';
import { type AuditContext, recordAudit } from '../audit/auditLog';
import { db } from '../db/knex';
import type { PartyIdType } from '../domain/partyIdTypes';
import { ConflictError, ValidationError } from '../errors';
import { Account, Organization } from '../models';
import { notFound } from '../organizations/organizationScope';

export interface NewAccount {
  account_id: string;
  organization_id: number;
  party_id_type: PartyIdType;
  party_identifier: string;
  currency: string;
}

export interface AccountView {
  account_id: string;
  organization_id: number;
  party_id_type: string;
  party_identifier: string;
  currency: string;
  balance: bigint;
  reserved: bigint;
  available: bigint;
  created_at: string;
}

/** Opens the account empty: its money arrives by deposits, so the journal explains every unit of it. */
export async function createAccount(audit: AuditContext, input: NewAccount): Promise<AccountView> {
  try {
    return await db().transaction(async (trx) => {
      if (!(await Organization.query(trx).findById(input.organization_id))) throw unknownOrganization();
      const account = await Account.query(trx).insertAndFetch({ ...input });
      await recordAudit(trx, {
        ...audit,
        kind: 'account.created',
        organizationId: account.organization_id,
        subject: { type: 'account', id: account.account_id },
        before: null,
        after: { ...input },
      });
      return toView(account);
    });
  } catch (error) {
    if (error instanceof UniqueViolationError) throw accountIdTaken(input.account_id);
    throw error;
  }
}

export interface Deposit {
  /** The public account_id (e.g. ACC-CNSS-001). */
  accountId: string;
  amount: bigint;
  reference: string;
  idempotencyKey: string;
}

export interface DepositRecorded {
  account: { account_id: string; currency: string };
  entry: JournalRow;
  replayed: boolean;
}

export async function recordDeposit(audit: AuditContext, deposit: Deposit): Promise<DepositRecorded> {
  const account = await findAccount(db(), deposit.accountId);
  if (!account) throw notFound();
  const outcome = await db().transaction(async (trx) => {
    const funded = await fundAccount(trx, {
      accountId: account.id,
      amount: deposit.amount,
      reference: deposit.reference,
      idempotencyKey: deposit.idempotencyKey,
      actor: { userId: audit.actor.userId },
    });
    if (!funded.replayed) {
      const balanceAfter = BigInt(funded.entry.balance_after);
      await recordAudit(trx, {
        ...audit,
        kind: 'account.deposit',
        organizationId: account.organization_id,
        subject: { type: 'account', id: account.account_id },
        before: { balance: balanceAfter - deposit.amount },
        after: {
          balance: balanceAfter,
          amount: deposit.amount,
          reference: deposit.reference,
          idempotency_key: deposit.idempotencyKey,
          journal_entry_id: Number(funded.entry.id),
        },
      });
    }
    return funded;
  });
  return { account: { account_id: account.account_id, currency: account.currency }, ...outcome };
}

function unknownOrganization(): ValidationError {
  return new ValidationError(
    'validation_error',
    { fr: 'Données invalides.', en: 'Invalid input.' },
    { organization_id: [{ fr: "Aucune organisation n'a cet identifiant.", en: 'No organization has this id.' }] },
  );
}

function accountIdTaken(accountId: string): ConflictError {
  const message = { fr: `Un compte a déjà l'identifiant ${accountId}.`, en: `An account already has the id ${accountId}.` };
  return new ConflictError('account_id_taken', message, { account_id: [message] });
}

function toView(account: Account): AccountView {
  const balance = BigInt(account.balance);
  const reserved = BigInt(account.reserved);
  return {
    account_id: account.account_id,
    organization_id: account.organization_id,
    party_id_type: account.party_id_type,
    party_identifier: account.party_identifier,
    // char(3) pads; a currency never has spaces.
    currency: account.currency.trim(),
    balance,
    reserved,
    available: balance - reserved,
    created_at: account.created_at.toISOString(),
  };
}
