/**
 * /api/pension-roll: the organization's beneficiaries (src/pensions/rollUseCases.ts). GESTIONNAIRE of an active
 * organization imports and changes them; GESTIONNAIRE and SUPERVISEUR read. Another organization's beneficiary is 404.
 */
import { z } from 'zod';
import { BENEFICIARY_STATUSES } from '../../pensions/rules/pensionEligibility';
import { ROLL_OPTIONAL_COLUMNS, ROLL_REQUIRED_COLUMNS } from '../../pensions/rules/rollCsv';
import {
  beneficiaryList,
  beneficiaryOf,
  changeBeneficiaryStatus,
  importRollFile,
  recordBeneficiaryProofOfLife,
} from '../../pensions/rollUseCases';
import { CanReadOrganization, InActiveOrganization, IsGestionnaire } from '../http/guards';
import { queryChoice, queryDate, queryInteger, queryText } from '../http/queryParams';
import { defineRoute } from '../http/routeDefinition';
import { FieldErrors, InvalidFileDetails } from '../schemas/common';
import {
  Beneficiary,
  BeneficiaryIdParams,
  BeneficiaryList,
  BeneficiaryStatusRequest,
  ProofOfLifeRequest,
  RollImportCounts,
} from '../schemas/pensionRoll';

const tag = 'pension roll';
const readers = { kind: 'user', guards: [CanReadOrganization] } as const;
const writers = { kind: 'user', guards: [IsGestionnaire, InActiveOrganization] } as const;
const writerErrors = { 403: ['organization_inactive'] };

const importFile = defineRoute({
  method: 'post',
  path: '/api/pension-roll/import',
  operationId: 'importPensionRoll',
  tag,
  summary: 'Import the roll (CSV)',
  description:
    `Columns ${ROLL_REQUIRED_COLUMNS.join(', ')}, optionally ${ROLL_OPTIONAL_COLUMNS.join(', ')}. Only a fully valid ` +
    'file is applied, in one transaction, as an upsert by party; a refused file changes nothing.',
  access: writers,
  body: { kind: 'file', description: 'One CSV file in the form field `file`, at most BULK_MAX_BYTES.' },
  answers: { 200: { description: 'Applied.', schema: RollImportCounts } },
  errors: {
    400: [
      { code: 'invalid_file', details: InvalidFileDetails },
      'invalid_encoding',
      'invalid_header',
      'empty_file',
      'no_rows',
      'file_required',
      'invalid_multipart',
    ],
    ...writerErrors,
    413: ['file_too_large', 'too_many_rows'],
    415: ['unsupported_media_type'],
  },
  handler: async ({ scope, user, body: file }) => ({
    status: 200,
    body: await importRollFile(scope, user, file.filepath),
  }),
});

const list = defineRoute({
  method: 'get',
  path: '/api/pension-roll',
  operationId: 'listBeneficiaries',
  tag,
  summary: "The organization's beneficiaries, by id",
  access: readers,
  query: z.object({
    status: queryChoice(BENEFICIARY_STATUSES).meta({ description: 'Case-insensitive.' }),
    q: queryText(200).meta({ description: 'Part of the name or of the identifier, any case.' }),
    proof_of_life_before: queryDate().meta({ description: 'Proof of life older than this day, or none at all.' }),
    limit: queryInteger({ defaultValue: 50, min: 1, max: 200 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'A page of beneficiaries.', schema: BeneficiaryList } },
  handler: async ({ scope, user, query }) => {
    const filters = {
      status: query.status,
      q: query.q,
      proofOfLifeBefore: query.proof_of_life_before,
      limit: query.limit,
      offset: query.offset,
    };
    return { status: 200, body: await beneficiaryList(scope, user, filters) };
  },
});

const read = defineRoute({
  method: 'get',
  path: '/api/pension-roll/:id',
  operationId: 'getBeneficiary',
  tag,
  summary: 'One beneficiary',
  access: readers,
  params: BeneficiaryIdParams,
  answers: { 200: { description: 'The beneficiary.', schema: Beneficiary } },
  handler: async ({ scope, user, params }) => ({ status: 200, body: await beneficiaryOf(scope, user, params.id) }),
});

const setStatus = defineRoute({
  method: 'post',
  path: '/api/pension-roll/:id/status',
  operationId: 'setBeneficiaryStatus',
  tag,
  summary: "Change a beneficiary's status",
  access: writers,
  params: BeneficiaryIdParams,
  body: { kind: 'json', schema: BeneficiaryStatusRequest },
  answers: { 200: { description: 'The beneficiary as it is now.', schema: Beneficiary } },
  errors: writerErrors,
  handler: async ({ scope, user, params, body }) => ({
    status: 200,
    body: await changeBeneficiaryStatus(scope, user, params.id, body.status, body.reason || null),
  }),
});

const proofOfLife = defineRoute({
  method: 'post',
  path: '/api/pension-roll/:id/proof-of-life',
  operationId: 'recordProofOfLife',
  tag,
  summary: 'Record a proof of life',
  access: writers,
  params: BeneficiaryIdParams,
  body: { kind: 'json', schema: ProofOfLifeRequest },
  answers: { 200: { description: 'The beneficiary as it is now.', schema: Beneficiary } },
  errors: { 400: [{ code: 'date_in_future', details: FieldErrors }], ...writerErrors },
  handler: async ({ scope, user, params, body }) => ({
    status: 200,
    body: await recordBeneficiaryProofOfLife(scope, user, params.id, body.date),
  }),
});

export const pensionRollRoutes = [importFile, list, read, setStatus, proofOfLife];
