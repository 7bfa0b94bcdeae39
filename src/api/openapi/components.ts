/**
 * What every area of the description shares: the error body, the bearer-token scheme, the value types the API
 * writes the same way everywhere (money, timestamps), and builders for responses, so each area file reads as a
 * list of its routes.
 */
import type { HeaderObject, ParameterObject, RequestBodyObject, ResponseObject, SchemaObject, SecurityRequirement } from './types';

export const BEARER: SecurityRequirement[] = [{ bearerAuth: [] }];
/** Routes anyone may call. */
export const PUBLIC: SecurityRequirement[] = [];

export function ref(schemaName: string): SchemaObject {
  return { $ref: `#/components/schemas/${schemaName}` };
}

/** The schema, or null. */
export function nullable(schema: SchemaObject): SchemaObject {
  if (schema.$ref !== undefined || schema.type === undefined) return { anyOf: [schema, { type: 'null' }] };
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const values = schema.enum === undefined ? {} : { enum: [...schema.enum, null] };
  return { ...schema, ...values, type: [...types, 'null'] };
}

/** An object whose listed properties are all required; more may be added by the code. */
export function object(properties: Record<string, SchemaObject>, description?: string): SchemaObject {
  return { type: 'object', ...(description ? { description } : {}), required: Object.keys(properties), properties };
}

export function arrayOf(items: SchemaObject, description?: string): SchemaObject {
  return { type: 'array', ...(description ? { description } : {}), items };
}

export const MINOR_UNITS: SchemaObject = {
  type: 'string',
  pattern: '^[0-9]+$',
  description: 'An amount in minor units of its currency (XOF has none), as a decimal string: exact beyond 2^53.',
  examples: ['517500'],
};
export const TIMESTAMP: SchemaObject = { type: 'string', format: 'date-time', description: 'ISO 8601, UTC.' };
export const DAY: SchemaObject = { type: 'string', format: 'date', description: 'A calendar day, YYYY-MM-DD.' };
export const UUID: SchemaObject = { type: 'string', format: 'uuid' };
export const CURRENCY: SchemaObject = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code.', examples: ['XOF'] };
export const COUNT: SchemaObject = { type: 'integer', minimum: 0 };

export const sharedSchemas: Record<string, SchemaObject> = {
  Error: {
    type: 'object',
    description: 'Every error answer. `code` is stable and machine-readable; `message` is for people; `details` depends on the code.',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', examples: ['validation_error'] },
          message: { type: 'string' },
          details: { description: 'Depends on the code; see each response.' },
        },
      },
    },
  },
  FieldErrors: {
    type: 'object',
    description: 'Per field of the request body, what is wrong with it; `non_field_errors` for the body as a whole.',
    additionalProperties: arrayOf({ type: 'string' }),
    examples: [{ email: ['Invalid email address'] }],
  },
  CsvIssue: {
    type: 'object',
    description:
      'One problem in an uploaded file: the physical line (header = 1) and the header name of the column, null when the ' +
      'whole line is wrong. Codes include required, invalid_type_id, invalid_msisdn, invalid_email, invalid_iban, ' +
      'invalid_identifier, unknown_currency, currency_mismatch, mixed_currencies, invalid_amount, amount_not_positive, ' +
      'amount_above_limit, wrong_column_count, malformed_csv, duplicate_beneficiary.',
    required: ['line', 'column', 'code', 'message'],
    properties: {
      line: { type: 'integer', minimum: 1 },
      column: { type: ['string', 'null'], examples: ['montant'] },
      code: { type: 'string', examples: ['invalid_amount'] },
      message: { type: 'string' },
    },
  },
  InvalidFileDetails: {
    type: 'object',
    required: ['errors'],
    properties: {
      errors: { type: 'array', items: { $ref: '#/components/schemas/CsvIssue' }, description: 'In line order; at most BULK_MAX_ERRORS_REPORTED.' },
      errors_truncated: { const: true, description: 'Present when the file has more errors than were reported.' },
    },
  },
  FieldName: {
    type: 'object',
    description: 'The query parameter or header that was refused.',
    required: ['field'],
    properties: { field: { type: 'string' } },
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Responses

export function jsonResponse(description: string, schema: SchemaObject, headers?: Record<string, HeaderObject>): ResponseObject {
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } };
}

export function jsonRequestBody(schema: SchemaObject, required = true): RequestBodyObject {
  return { required, content: { 'application/json': { schema } } };
}

/** One kind of error answer: its codes, and the shape of `details` when they carry some. */
export interface ErrorVariant {
  codes: readonly string[];
  details?: SchemaObject;
  /** Whether every answer with these codes has details (most do, when they have a shape). */
  detailsRequired?: boolean;
}

function errorVariantSchema({ codes, details, detailsRequired = details !== undefined }: ErrorVariant): SchemaObject {
  const code: SchemaObject = codes.length === 1 ? { const: codes[0]! } : { enum: codes };
  const error: SchemaObject = { type: 'object', properties: { code, ...(details ? { details } : {}) } };
  if (detailsRequired) error.required = ['details'];
  return { allOf: [ref('Error'), { type: 'object', properties: { error } }] };
}

/** An error response whose code is one of the variants' codes (the Error shape, with `code` and `details` narrowed). */
export function errorResponse(description: string, ...variants: ErrorVariant[]): ResponseObject {
  const schemas = variants.map(errorVariantSchema);
  const schema = schemas.length === 1 ? schemas[0]! : { anyOf: schemas };
  return jsonResponse(description, schema);
}

export const RETRY_AFTER: HeaderObject = { description: 'Seconds to wait before trying again.', required: true, schema: { type: 'integer', minimum: 0 } };

export const responses = {
  unauthorized: errorResponse(
    'No bearer token, or one that is invalid or expired (`token_not_valid`), or the user is deactivated (`user_inactive`), ' +
      'or their organization is (`organization_inactive`).',
    { codes: ['not_authenticated', 'token_not_valid', 'user_inactive', 'organization_inactive'] },
  ),
  /** `extraCodes`: what the route refuses besides the role (e.g. a deactivated organization). */
  forbidden(roleRule: string, extraCodes: readonly string[] = []): ResponseObject {
    return errorResponse(`${roleRule} A user with a temporary password must change it first (\`password_change_required\`).`, {
      codes: ['permission_denied', 'password_change_required', ...extraCodes],
    });
  },
  notFound: errorResponse('Not found, or belonging to another organization (never disclosed).', { codes: ['not_found'] }),
  invalidJsonBody: errorResponse(
    'The JSON body is invalid: `validation_error` names each wrong field in `details`; `bad_request` when it is not JSON at all.',
    { codes: ['validation_error'], details: ref('FieldErrors') },
    { codes: ['bad_request'] },
  ),
  jsonBodyTooLarge: errorResponse('The JSON body is larger than REQUEST_BODY_LIMIT_KB.', { codes: ['payload_too_large'] }),
  invalidFilter: errorResponse('A query parameter is malformed, out of range or repeated.', { codes: ['invalid_filter'], details: ref('FieldName') }),
  rateLimited: {
    ...errorResponse('Too many attempts; `Retry-After` says when to try again.', {
      codes: ['rate_limited'],
      details: object({ retry_after_seconds: { type: 'integer', minimum: 0 } }),
    }),
    headers: { 'Retry-After': RETRY_AFTER },
  } satisfies ResponseObject,
  internalError: errorResponse('An unexpected error; its text is logged, never answered.', { codes: ['internal_error'] }),
};

// ---------------------------------------------------------------------------------------------------------------
// Uploads (bulk transfers, pension roll): one CSV file in the multipart field "file"

export function multipartCsvFile(description: string): RequestBodyObject {
  return {
    required: true,
    description,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['file'],
          properties: { file: { type: 'string', format: 'binary', contentMediaType: 'text/csv', description: 'The CSV file, UTF-8.' } },
        },
        encoding: { file: { contentType: 'text/csv' } },
      },
    },
  };
}

/** 400: a file refused, or a multipart body without one; `otherVariants` for what the route refuses besides. */
export function refusedFile(...otherVariants: ErrorVariant[]): ResponseObject {
  return errorResponse(
    'Nothing was stored. `invalid_file`: every problem by line and column in `details.errors`; the other codes are about ' +
      'the file as a whole (`invalid_header` details the expected, missing, unknown and duplicated columns).',
    { codes: ['invalid_file'], details: ref('InvalidFileDetails') },
    { codes: ['invalid_encoding', 'invalid_header'], details: object({ line: { type: 'integer', minimum: 1 } }), detailsRequired: false },
    { codes: ['empty_file', 'no_rows', 'file_required', 'invalid_multipart'] },
    ...otherVariants,
  );
}

export const fileTooLarge = errorResponse(
  'The file is larger than BULK_MAX_BYTES (`file_too_large`) or has more lines than BULK_MAX_ROWS (`too_many_rows`).',
  { codes: ['file_too_large'], details: object({ max_bytes: { type: 'integer' } }) },
  { codes: ['too_many_rows'], details: object({ max_rows: { type: 'integer' } }) },
);

export const notMultipart = errorResponse('Send the file as multipart/form-data, in a field named "file".', {
  codes: ['unsupported_media_type'],
});

// ---------------------------------------------------------------------------------------------------------------
// Parameters

export function pageParameters(limit: { defaultValue: number; max: number }): ParameterObject[] {
  return [
    {
      name: 'limit',
      in: 'query',
      description: 'Page size.',
      schema: { type: 'integer', minimum: 1, maximum: limit.max, default: limit.defaultValue },
    },
    { name: 'offset', in: 'query', description: 'Entries to skip.', schema: { type: 'integer', minimum: 0, default: 0 } },
  ];
}

/** `{total, count, limit, offset, results}`: `total` matches the filters, `count` is this page's length. */
export function pageOf(items: SchemaObject): SchemaObject {
  return object({ total: COUNT, count: COUNT, limit: { type: 'integer', minimum: 1 }, offset: COUNT, results: arrayOf(items) });
}
