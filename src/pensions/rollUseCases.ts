/**
 * The use-cases of /api/pension-roll: importing the roll file, reading it, and the two changes made one
 * beneficiary at a time. GESTIONNAIRE imports and changes; SUPERVISEUR reads; another organization's beneficiary
 * is 404. Import: a CSV file checked line by line (src/pensions/rules/rollCsv.ts); only a fully valid file is
 * applied, in one transaction, as an upsert by party (./roll.ts).
 */
import { readFile } from 'node:fs/promises';
import type { Knex } from 'knex';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import type { BeneficiaryStatus } from './rules/pensionEligibility';
import type { PartyIdType } from '../domain/partyIdTypes';
import { dayIn, DEFAULT_TIME_ZONE } from './rules/pensionPeriod';
import { readPensionRollCsv } from './rules/rollCsv';
import { PayloadTooLargeError, ValidationError } from '../errors';
import { Account } from '../models';
import { assertSameOrganization, notFound } from '../organizations/organizationScope';
import type { RequestScope } from '../requests/requestScope';
import {
  type Beneficiary,
  findBeneficiary,
  importRoll,
  listBeneficiaries,
  recordProofOfLife,
  type RollFilters,
  setBeneficiaryStatus,
} from './store/rollStore';

/** Today in the fund's time zone: a proof of life given this morning in Porto-Novo is not "tomorrow". */
function today(): string {
  return dayIn(new Date(), DEFAULT_TIME_ZONE);
}

export async function importRollFile(scope: RequestScope, user: AuthenticatedUser, filePath: string) {
  const { config } = scope;
  const organizationId = user.organizationId!;
  const accounts = await Account.query(scope.db).where('organization_id', organizationId);
  const read = readPensionRollCsv(await readFile(filePath), {
    payerCurrencies: [...new Set(accounts.map((account) => account.currency.trim()))],
    maxAmountPerLine: config.bulk.maxAmountPerLineMinorUnits,
    maxRows: config.bulk.maxRows,
    maxErrorsReported: config.bulk.maxErrorsReported,
    today: today(),
  });
  if (!read.ok) {
    const { code, message, details } = read.failure;
    throw code === 'too_many_rows'
      ? new PayloadTooLargeError(code, message, details)
      : new ValidationError(code, message, details);
  }
  const counts = await importRoll(scope.db, organizationId, read.entries);
  scope.log.info({ organizationId, ...counts }, 'pension roll imported');
  return counts;
}

export async function beneficiaryList(scope: RequestScope, user: AuthenticatedUser, filters: RollFilters) {
  const { total, results } = await listBeneficiaries(scope.db, user.organizationId!, filters);
  return {
    total,
    count: results.length,
    limit: filters.limit,
    offset: filters.offset,
    results: results.map(beneficiaryView),
  };
}

export async function beneficiaryOf(scope: RequestScope, user: AuthenticatedUser, id: number) {
  return beneficiaryView(await ownBeneficiary(scope.db, user, id));
}

export async function changeBeneficiaryStatus(
  scope: RequestScope,
  user: AuthenticatedUser,
  id: number,
  status: BeneficiaryStatus,
  reason: string | null,
) {
  const beneficiary = await ownBeneficiary(scope.db, user, id);
  await setBeneficiaryStatus(scope.db, beneficiary.id, status, reason);
  scope.log.info({ beneficiaryId: beneficiary.id, from: beneficiary.status, to: status }, 'beneficiary status changed');
  return beneficiaryView((await findBeneficiary(scope.db, beneficiary.id))!);
}

export async function recordBeneficiaryProofOfLife(
  scope: RequestScope,
  user: AuthenticatedUser,
  id: number,
  date: string,
) {
  const beneficiary = await ownBeneficiary(scope.db, user, id);
  if (date > today()) {
    throw new ValidationError(
      'date_in_future',
      {
        fr: 'Une preuve de vie ne peut pas être datée dans le futur.',
        en: 'A proof of life cannot be dated in the future.',
      },
      { date: [{ fr: `${date} est postérieure à aujourd'hui`, en: `${date} is after today` }] },
    );
  }
  await recordProofOfLife(scope.db, beneficiary.id, date);
  return beneficiaryView((await findBeneficiary(scope.db, beneficiary.id))!);
}

async function ownBeneficiary(knex: Knex, user: AuthenticatedUser, id: number): Promise<Beneficiary> {
  const beneficiary = await findBeneficiary(knex, id);
  if (!beneficiary) throw notFound();
  assertSameOrganization(user, beneficiary.organization_id);
  return beneficiary;
}

// Spelled out, so a column added to the roll is a choice here, not a leak (the organization's id is not shown).
function beneficiaryView(beneficiary: Beneficiary) {
  return {
    id: beneficiary.id,
    // Only the types a roll file may name are ever stored (src/pensions/rules/rollCsv.ts).
    party_id_type: beneficiary.party_id_type as PartyIdType,
    party_identifier: beneficiary.party_identifier,
    full_name: beneficiary.full_name,
    monthly_amount: BigInt(beneficiary.monthly_amount),
    currency: beneficiary.currency,
    status: beneficiary.status,
    status_reason: beneficiary.status_reason,
    last_proof_of_life: beneficiary.last_proof_of_life,
    start_date: beneficiary.start_date,
    end_date: beneficiary.end_date,
    created_at: beneficiary.created_at.toISOString(),
    updated_at: beneficiary.updated_at.toISOString(),
  };
}
