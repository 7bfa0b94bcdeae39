/**
 * Checks one real answer of the API against the generated document (src/api/apiDocument.ts): its status is documented for the route and its JSON
 * body matches the documented schema (Ajv, JSON Schema 2020-12, strict), as test/api/openapi.test.ts does
 * for the routes it calls. For tests of routes whose answers need a worker and the peer to reach.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';
import type { HttpMethod } from '../../src/api/http/routeDefinition';
import { openApiDocument } from '../../src/api/apiDocument';
import { documentedResponse } from './openApiDocumentReading';

const DOCUMENT_ID = 'https://contract.test/openapi.json';
const document = openApiDocument();
let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(path: string, method: HttpMethod, status: number): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('binary', true);
    ajv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'tags', 'paths', 'components', 'security']);
    ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  }
  const pointer = ['paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema']
    .map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/');
  const ref = `${DOCUMENT_ID}#/${pointer}`;
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  return validate;
}

/** Throws, naming the route and what differs, when the answer is not as documented. Returns it for chaining. */
export function conforms(response: Response, method: HttpMethod, path: string): Response {
  const documented = documentedResponse(document, method, path, response.status);
  if (!documented.content?.['application/json']) return response;
  const validate = validatorFor(path, method, response.status);
  if (!validate(response.body)) {
    throw new Error(
      `${method.toUpperCase()} ${path} ${response.status} does not match its schema:\n${JSON.stringify(validate.errors, null, 2)}\n` +
        `body: ${JSON.stringify(response.body, null, 2)}`,
    );
  }
  return response;
}
