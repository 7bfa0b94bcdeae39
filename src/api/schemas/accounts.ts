/** The shapes of /api/accounts: money as JSON integers of minor units. */
import { z } from 'zod';
import { JOURNAL_KINDS } from '../../accounts/rules/journalRules';
import { Currency, MinorUnits, minorUnits, PartyIdType, Timestamp, page } from './common';

const AccountSummary = z
  .object({
    account_id: z.string().meta({ examples: ['ACC-CNSS-001'] }),
    party_id_type: PartyIdType,
    party_identifier: z.string(),
    currency: Currency,
    balance: MinorUnits,
    reserved: minorUnits('Held for bulks in flight (minor units).'),
    available: minorUnits('balance - reserved: what a new bulk may use (minor units).'),
  })
  .meta({ id: 'AccountSummary' });

export const AccountList = page(AccountSummary).meta({ id: 'AccountList' });

const entryFields = {
  id: z.bigint().meta({
    override: { type: 'integer', minimum: 1 },
    description: 'Journal order: entries of one account are numbered in the order they changed it.',
  }),
  kind: z.enum(JOURNAL_KINDS).meta({
    description:
      'Effect on (balance, reserved) for the amount a: reserve (+0, +a), release (0, -a), debit (-a, -a: a paid line), ' +
      'credit (+a, 0), fund (+a, 0: a deposit).',
  }),
  amount: MinorUnits,
  bulk_id: z.uuid().nullable(),
  transfer_id: z.uuid().nullable(),
  reference: z.string().nullable().meta({ description: "A deposit's reference; null for payout entries." }),
  balance_after: MinorUnits,
  reserved_after: MinorUnits,
  created_at: Timestamp,
};

const StatementEntry = z.object(entryFields).meta({
  id: 'StatementEntry',
  description: 'One entry of the account journal. Entries are never changed or deleted.',
});

export const Statement = page(StatementEntry)
  .extend({ account_id: z.string(), currency: Currency })
  .meta({ id: 'Statement' });

export const DepositRequest = z
  .object({
    // A JSON integer of minor units: a string or a fraction is refused, not read.
    amount: z
      .int()
      .positive()
      .max(Number.MAX_SAFE_INTEGER)
      .meta({ description: 'Minor units, a JSON integer (not a string).' }),
    reference: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .meta({ description: "What the money is, e.g. the bank transfer's reference." }),
  })
  .strict()
  .meta({ id: 'DepositRequest' });

export const Deposit = z
  .object({
    ...entryFields,
    kind: z.literal('fund'),
    account_id: z.string(),
    currency: Currency,
    idempotency_key: z.string(),
  })
  .meta({ id: 'Deposit' });
