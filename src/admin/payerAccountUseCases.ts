/**
 * Payer accounts as staff open them, audited. Their money arrives by deposits (POST /api/accounts/:id/deposits,
 * src/accounts/accountUseCases.ts), through the journal: the only writer of a balance.
 */
import { UniqueViolationError } from 'objection';
import { recordAudit } from '../audit/auditLog';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import type { PartyIdType } from '../domain/partyIdTypes';
import { ConflictError, ValidationError } from '../errors';
import { Account, Organization } from '../models';
import { auditContextOf, type RequestScope } from '../requests/requestScope';

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
export async function createAccount(
  scope: RequestScope,
  user: AuthenticatedUser,
  input: NewAccount,
): Promise<AccountView> {
  try {
    return await scope.db.transaction(async (trx) => {
      if (!(await Organization.query(trx).findById(input.organization_id))) throw unknownOrganization();
      const account = await Account.query(trx).insertAndFetch({ ...input });
      await recordAudit(trx, {
        ...auditContextOf(scope, user),
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

function unknownOrganization(): ValidationError {
  return new ValidationError(
    'validation_error',
    { fr: 'Données invalides.', en: 'Invalid input.' },
    { organization_id: [{ fr: "Aucune organisation n'a cet identifiant.", en: 'No organization has this id.' }] },
  );
}

function accountIdTaken(accountId: string): ConflictError {
  const message = {
    fr: `Un compte a déjà l'identifiant ${accountId}.`,
    en: `An account already has the id ${accountId}.`,
  };
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
