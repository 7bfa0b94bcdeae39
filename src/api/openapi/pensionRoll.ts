/** /api/pension-roll (src/api/routes/pensionRoll.ts): the organization's beneficiaries. */
import { PARTY_ID_TYPES } from '../../domain/partyIdTypes';
import { BENEFICIARY_STATUSES } from '../../domain/pensionEligibility';
import { ROLL_OPTIONAL_COLUMNS, ROLL_REQUIRED_COLUMNS } from '../../domain/pensionRoll/rollCsv';
import {
  BEARER,
  COUNT,
  CURRENCY,
  DAY,
  errorResponse,
  fileTooLarge,
  jsonRequestBody,
  jsonResponse,
  MINOR_UNITS,
  multipartCsvFile,
  notMultipart,
  nullable,
  object,
  pageOf,
  pageParameters,
  ref,
  refusedFile,
  responses,
  TIMESTAMP,
} from './components';
import type { ApiArea, OperationObject, ParameterObject, ResponseObject, SchemaObject } from './types';

const TAG = 'pension roll';
const WRITERS_RULE = 'Only a GESTIONNAIRE of an active organization may change the roll.';
const status: SchemaObject = { type: 'string', enum: BENEFICIARY_STATUSES };

const idParameter: ParameterObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: "The beneficiary's id; another organization's beneficiary is 404.",
  schema: { type: 'integer', minimum: 0, maximum: 999_999_999 },
};

const schemas: Record<string, SchemaObject> = {
  Beneficiary: object({
    id: { type: 'integer' },
    party_id_type: { type: 'string', enum: PARTY_ID_TYPES },
    party_identifier: { type: 'string' },
    full_name: { type: 'string' },
    monthly_amount: MINOR_UNITS,
    currency: CURRENCY,
    status,
    status_reason: nullable({ type: 'string' }),
    last_proof_of_life: nullable(DAY),
    start_date: nullable(DAY),
    end_date: nullable(DAY),
    created_at: TIMESTAMP,
    updated_at: TIMESTAMP,
  }),
  RollImportCounts: object({ added: COUNT, updated: COUNT, unchanged: COUNT }, 'Beneficiaries added, changed, and left as they were.'),
  BeneficiaryStatusRequest: {
    type: 'object',
    required: ['status'],
    properties: { status, reason: { type: 'string', maxLength: 500 } },
  },
  ProofOfLifeRequest: object({ date: { ...DAY, description: 'The day the proof was given; not in the future (Africa/Porto-Novo).' } }),
};

const writerErrors: Record<string, ResponseObject> = {
  '401': responses.unauthorized,
  '403': responses.forbidden(WRITERS_RULE, ['organization_inactive']),
};

function beneficiaryChange(operationId: string, summary: string, body: string, invalidCodes: ResponseObject): OperationObject {
  return {
    operationId,
    tags: [TAG],
    summary,
    security: BEARER,
    parameters: [idParameter],
    requestBody: jsonRequestBody(ref(body)),
    responses: {
      '200': jsonResponse('The beneficiary as it is now.', ref('Beneficiary')),
      '400': invalidCodes,
      ...writerErrors,
      '404': responses.notFound,
      '413': responses.jsonBodyTooLarge,
    },
  };
}

export const pensionRollArea: ApiArea = {
  tag: { name: TAG, description: 'The beneficiaries paid each month, their status and proofs of life.' },
  schemas,
  paths: {
    '/api/pension-roll/import': {
      post: {
        operationId: 'importPensionRoll',
        tags: [TAG],
        summary: 'Import the roll (CSV)',
        description:
          `Columns ${ROLL_REQUIRED_COLUMNS.join(', ')}, optionally ${ROLL_OPTIONAL_COLUMNS.join(', ')}. Only a fully valid ` +
          'file is applied, in one transaction, as an upsert by party; a refused file changes nothing.',
        security: BEARER,
        requestBody: multipartCsvFile('One CSV file in the form field `file`, at most BULK_MAX_BYTES.'),
        responses: {
          '200': jsonResponse('Applied.', ref('RollImportCounts')),
          '400': refusedFile(),
          ...writerErrors,
          '413': fileTooLarge,
          '415': notMultipart,
        },
      },
    },
    '/api/pension-roll': {
      get: {
        operationId: 'listBeneficiaries',
        tags: [TAG],
        summary: "The organization's beneficiaries, by id",
        security: BEARER,
        parameters: [
          { name: 'status', in: 'query', description: 'Case-insensitive.', schema: status },
          { name: 'q', in: 'query', description: 'Part of the name or of the identifier, any case.', schema: { type: 'string' } },
          { name: 'proof_of_life_before', in: 'query', description: 'Proof of life older than this day, or none at all.', schema: DAY },
          ...pageParameters({ defaultValue: 50, max: 200 }),
        ],
        responses: {
          '200': jsonResponse('A page of beneficiaries.', pageOf(ref('Beneficiary'))),
          '400': responses.invalidFilter,
          '401': responses.unauthorized,
          '403': responses.forbidden('A GESTIONNAIRE or SUPERVISEUR of an organization may read its roll.'),
        },
      },
    },
    '/api/pension-roll/{id}': {
      get: {
        operationId: 'getBeneficiary',
        tags: [TAG],
        summary: 'One beneficiary',
        security: BEARER,
        parameters: [idParameter],
        responses: {
          '200': jsonResponse('The beneficiary.', ref('Beneficiary')),
          '401': responses.unauthorized,
          '403': responses.forbidden('A GESTIONNAIRE or SUPERVISEUR of an organization may read its roll.'),
          '404': responses.notFound,
        },
      },
    },
    '/api/pension-roll/{id}/status': {
      post: beneficiaryChange('setBeneficiaryStatus', "Change a beneficiary's status", 'BeneficiaryStatusRequest', responses.invalidJsonBody),
    },
    '/api/pension-roll/{id}/proof-of-life': {
      post: beneficiaryChange(
        'recordProofOfLife',
        'Record a proof of life',
        'ProofOfLifeRequest',
        errorResponse(
          'The body is invalid (`validation_error`, `bad_request`), or the date is in the future (`date_in_future`).',
          { codes: ['validation_error', 'date_in_future'], details: ref('FieldErrors') },
          { codes: ['bad_request'] },
        ),
      ),
    },
  },
};
