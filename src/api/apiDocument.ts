/** The API's OpenAPI 3.1 document, generated from the route table; served at /openapi.json. */
import { buildOpenApiDocument } from './http/openApiBuilder';
import type { OpenApiDocument } from './http/routeDefinition';
import { ROUTES } from './routeTable';

export type { OpenApiDocument } from './http/routeDefinition';

/** The contract's version: raised when a route or a shape changes, whatever the package version. */
const API_VERSION = '0.2.0';

const DESCRIPTION = `Pays pension lists (XOF, to mobile-money wallets) through a Mojaloop switch.

Authentication: log in with POST /api/auth/login, then send \`Authorization: Bearer <access>\`; refresh with
POST /api/auth/token/refresh. Money is an integer number of minor units of its currency (XOF has none), written as a
JSON integer (never a float, never a string), below 2^53. Every error answers \`{"error": {"code", "message",
"details"?}}\` with a stable machine-readable \`code\` (English) and a \`message\` in the language of
\`Accept-Language\` (French or English; French by default).`;

const TAGS = [
  { name: 'auth', description: "Logging in, refreshing tokens, the caller's profile and password." },
  { name: 'admin', description: 'Staff only: users, organizations, accounts and the audit log.' },
  {
    name: 'accounts',
    description:
      "Payer accounts and their journal: every change to an account's money is an entry, written with the change.",
  },
  { name: 'bulk transfers', description: 'Uploading a pension list, following its payout, and acting on it.' },
  { name: 'reports', description: 'Reconciliation reports of a bulk, one line per transfer.' },
  { name: 'pension roll', description: "The organization's beneficiaries, their status and proofs of life." },
  { name: 'pension runs', description: 'Monthly pension runs built from the roll, and their Temporal schedule.' },
  {
    name: 'webhooks',
    description: "The organization's signed webhook endpoints (Standard Webhooks), their deliveries and attempts.",
  },
  { name: 'operations', description: 'Health probes, Prometheus metrics and this API description.' },
];

/** Built once per process: it depends on the code only, never on the configuration or the request. */
let built: OpenApiDocument | undefined;

export function openApiDocument(): OpenApiDocument {
  built ??= buildOpenApiDocument(ROUTES, {
    title: 'Pension payout gateway',
    version: API_VERSION,
    description: DESCRIPTION,
    tags: TAGS,
  });
  return built;
}
