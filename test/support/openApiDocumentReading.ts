/** Reading the generated OpenAPI document in tests: an operation and one of its responses, typed loosely. */
import type { HttpMethod } from '../../src/api/http/routeDefinition';
import type { OpenApiDocument } from '../../src/api/apiDocument';

export interface DocumentedResponse {
  description: string;
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema: unknown }>;
}

export interface DocumentedOperation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, DocumentedResponse>;
}

export function operationOf(
  document: OpenApiDocument,
  method: HttpMethod,
  path: string,
): DocumentedOperation | undefined {
  const item = document.paths?.[path] as Partial<Record<HttpMethod, DocumentedOperation>> | undefined;
  return item?.[method];
}

export function documentedResponse(
  document: OpenApiDocument,
  method: HttpMethod,
  path: string,
  status: number,
): DocumentedResponse {
  const operation = operationOf(document, method, path);
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not described`);
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`${method.toUpperCase()} ${path} answered ${status}, which is not described`);
  return response;
}
