/** /api/accounts (src/api/routes/accounts.ts): accounts with their money, statements (the journal) and deposits. */
import { JOURNAL_KINDS } from '../../domain/accountJournal';
import {
  BEARER,
  CURRENCY,
  DAY,
  errorResponse,
  jsonRequestBody,
  jsonResponse,
  nullable,
  object,
  pageOf,
  pageParameters,
  ref,
  responses,
  TIMESTAMP,
  UUID,
} from './components';
import type { ApiArea, ParameterObject, SchemaObject } from './types';

const TAG = 'accounts';
const READERS_RULE = 'Any user of an organization may read its accounts; staff (is_staff) read every organization\'s.';
const STAFF_RULE = 'Only an administrator (is_staff) may record a deposit.';

/** Unlike the bulk routes' decimal strings: the accounts routes answer money as JSON integers. */
const MINOR_UNITS_INTEGER: SchemaObject = {
  type: 'integer',
  minimum: 0,
  description:
    "Minor units of the account's currency (XOF has none), as a JSON integer (never a float, never a string), written " +
    'exactly at any size: beyond 2^53 - 1, read it with a parser that keeps big integers.',
  examples: [517500],
};

const accountIdParameter: ParameterObject = {
  name: 'account_id',
  in: 'path',
  required: true,
  description: "The account's account_id (e.g. ACC-CNSS-001). Another organization's account is 404 (except for staff).",
  schema: { type: 'string', maxLength: 64 },
};

const schemas: Record<string, SchemaObject> = {
  AccountSummary: object({
    account_id: { type: 'string', examples: ['ACC-CNSS-001'] },
    party_id_type: { type: 'string', examples: ['MSISDN'] },
    party_identifier: { type: 'string' },
    currency: CURRENCY,
    balance: MINOR_UNITS_INTEGER,
    reserved: { ...MINOR_UNITS_INTEGER, description: 'Held for bulks in flight (minor units).' },
    available: { ...MINOR_UNITS_INTEGER, description: 'balance - reserved: what a new bulk may use (minor units).' },
  }),
  StatementEntry: object(
    {
      id: { type: 'integer', minimum: 1, description: 'Journal order: entries of one account are numbered in the order they changed it.' },
      kind: {
        type: 'string',
        enum: JOURNAL_KINDS,
        description:
          'Effect on (balance, reserved) for the amount a: reserve (+0, +a), release (0, -a), debit (-a, -a: a paid line), ' +
          'credit (+a, 0), fund (+a, 0: a deposit).',
      },
      amount: { ...MINOR_UNITS_INTEGER, minimum: 1 },
      bulk_id: nullable(UUID),
      transfer_id: nullable(UUID),
      reference: nullable({ type: 'string', description: "A deposit's reference; null for payout entries." }),
      balance_after: MINOR_UNITS_INTEGER,
      reserved_after: MINOR_UNITS_INTEGER,
      created_at: TIMESTAMP,
    },
    'One entry of the account journal. Entries are never changed or deleted.',
  ),
  Statement: {
    allOf: [pageOf(ref('StatementEntry')), object({ account_id: { type: 'string' }, currency: CURRENCY })],
  },
  DepositRequest: {
    type: 'object',
    required: ['amount', 'reference'],
    additionalProperties: false,
    properties: {
      amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units, a JSON integer (not a string).' },
      reference: { type: 'string', minLength: 1, maxLength: 255, description: "What the money is, e.g. the bank transfer's reference." },
    },
  },
  Deposit: {
    allOf: [
      ref('StatementEntry'),
      object({ account_id: { type: 'string' }, currency: CURRENCY, idempotency_key: { type: 'string' }, kind: { const: 'fund' } }),
    ],
  },
};

const readerErrors = {
  '401': responses.unauthorized,
  '403': responses.forbidden(READERS_RULE),
};

export const accountsArea: ApiArea = {
  tag: {
    name: TAG,
    description:
      'Payer accounts and their journal: every change to an account\'s money is an entry, written with the change, so ' +
      'the statement always adds up to the balance.',
  },
  schemas,
  paths: {
    '/api/accounts': {
      get: {
        operationId: 'listAccounts',
        tags: [TAG],
        summary: "The caller's organization's accounts with their money (staff: every organization's)",
        security: BEARER,
        parameters: [
          {
            name: 'organization_id',
            in: 'query',
            description: "Staff: only this organization's accounts. Others: their own organization's id, or nothing matches.",
            schema: { type: 'integer', minimum: 1 },
          },
          ...pageParameters({ defaultValue: 100, max: 500 }),
        ],
        responses: {
          '200': jsonResponse('A page of accounts, oldest first.', pageOf(ref('AccountSummary'))),
          '400': responses.invalidFilter,
          ...readerErrors,
        },
      },
    },
    '/api/accounts/{account_id}/statement': {
      get: {
        operationId: 'getAccountStatement',
        tags: [TAG],
        summary: "An account's statement: its journal, oldest first",
        description:
          '`format=csv` answers every entry matching `from`/`to` as a CSV download (same columns, cells that a spreadsheet ' +
          'would run as formulas prefixed with a quote); `limit`/`offset` page the JSON answer only.',
        security: BEARER,
        parameters: [
          accountIdParameter,
          { name: 'from', in: 'query', description: 'Entries on or after this day (UTC).', schema: DAY },
          { name: 'to', in: 'query', description: 'Entries on or before this day (UTC); not before from.', schema: DAY },
          { name: 'format', in: 'query', description: 'json (default) or csv.', schema: { type: 'string', enum: ['json', 'csv'], default: 'json' } },
          ...pageParameters({ defaultValue: 100, max: 1000 }),
        ],
        responses: {
          '200': {
            description: 'The statement.',
            content: {
              'application/json': { schema: ref('Statement') },
              'text/csv': { schema: { type: 'string', description: 'A header row, then one row per entry; columns as StatementEntry.' } },
            },
          },
          '400': responses.invalidFilter,
          ...readerErrors,
          '404': responses.notFound,
        },
      },
    },
    '/api/accounts/{account_id}/deposits': {
      post: {
        operationId: 'createDeposit',
        tags: [TAG],
        summary: 'Record money arrived on the account (a `fund` entry)',
        description:
          'Idempotent by `Idempotency-Key`, per account: the same key with the same amount and reference answers the first ' +
          'entry again (200, `Idempotent-Replayed: true`, nothing added); with anything else, 409 `idempotency_key_reused`.',
        security: BEARER,
        parameters: [
          accountIdParameter,
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            description: 'Chosen by the caller, one per deposit, at most 255 characters.',
            schema: { type: 'string', minLength: 1, maxLength: 255 },
          },
        ],
        requestBody: jsonRequestBody(ref('DepositRequest')),
        responses: {
          '201': jsonResponse('Recorded.', ref('Deposit')),
          '200': jsonResponse('Recorded earlier with this key: the same entry, nothing added.', ref('Deposit'), {
            'Idempotent-Replayed': { description: 'Always `true`.', required: true, schema: { const: 'true' } },
          }),
          '400': errorResponse(
            'The body is invalid (`validation_error`, `bad_request`), or the Idempotency-Key is missing or too long.',
            { codes: ['validation_error'], details: ref('FieldErrors') },
            { codes: ['idempotency_key_required', 'invalid_idempotency_key'], details: ref('FieldName') },
            { codes: ['bad_request'] },
          ),
          '401': responses.unauthorized,
          '403': responses.forbidden(STAFF_RULE),
          '404': responses.notFound,
          '409': errorResponse('The Idempotency-Key was already used for another deposit on this account.', {
            codes: ['idempotency_key_reused'],
            details: object({ entry_id: { type: 'integer', minimum: 1 } }),
          }),
          '413': responses.jsonBodyTooLarge,
        },
      },
    },
  },
};
