/**
 * What the bulk upload and read tests share: an organization with an account and logged-in users, uploading a
 * CSV through the real API, and counting what the database holds (to prove a refused upload changed nothing).
 *
 * The app uses a task queue of its own that no worker polls: an uploaded bulk's workflow starts and waits, so
 * these tests never pay anything (and no other test file's worker picks their bulks up).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Config } from '../../src/config';
import { db } from './database';
import type { Account, Organization } from '../../src/models';
import { conforms } from './openApiContract';
import {
  authHeader,
  createAccount,
  createOrganization,
  createTestApp,
  createUser,
  loginAs,
  type TestServer,
} from './fixtures';

export interface BulkTestApp {
  server: TestServer;
  config: Config;
}

/** The API on a task queue nobody polls; `envOverrides` for limits (BULK_MAX_ROWS, ...) or a dead Temporal. */
export function createBulkTestApp(
  envOverrides: Record<string, string> = {},
  taskQueue = `bulk-upload-test-${randomUUID()}`,
): BulkTestApp {
  const { server, config } = createTestApp({ TEMPORAL_TASK_QUEUE: taskQueue, ...envOverrides });
  return { server, config };
}

export interface Fund {
  organization: Organization;
  account: Account;
  gestionnaire: { id: number; token: string };
  superviseur: { id: number; token: string };
}

/** An organization with one account (XOF unless told) holding `balance` minor units, and one user of each role. */
export async function createFund(
  server: TestServer,
  options: { balance?: bigint; currency?: string } = {},
): Promise<Fund> {
  const organization = await createOrganization();
  const account = await createAccount({
    organizationId: organization.id,
    balance: options.balance ?? 100_000_000n,
    currency: options.currency,
  });
  const gestionnaire = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
  const superviseur = await createUser({ organizationId: organization.id, role: 'SUPERVISEUR' });
  return {
    organization,
    account,
    gestionnaire: { id: gestionnaire.user.id, token: await loginAs(server, gestionnaire.email, gestionnaire.password) },
    superviseur: { id: superviseur.user.id, token: await loginAs(server, superviseur.email, superviseur.password) },
  };
}

export const CSV_HEADER = 'type_id,valeur_id,devise,montant\n';

/** A valid XOF file of `count` MSISDN lines (amounts 1000, 1001, ...), distinct per `seed`. */
export function csvOfLines(count: number, seed = randomUUID().replace(/\D/g, '').slice(0, 6).padEnd(6, '7')): string {
  const lines: string[] = [CSV_HEADER];
  for (let index = 0; index < count; index += 1)
    lines.push(`MSISDN,229${seed}${String(index).padStart(6, '0')},XOF,${1000 + index}\n`);
  return lines.join('');
}

export interface UploadOptions {
  fileName?: string;
  query?: Record<string, string>;
  idempotencyKey?: string;
}

export function upload(
  server: TestServer,
  token: string,
  content: string | Buffer,
  options: UploadOptions = {},
): request.Test {
  const call = request(server)
    .post('/api/bulk-transfers')
    .query(options.query ?? {})
    .set(authHeader(token));
  if (options.idempotencyKey !== undefined) call.set('Idempotency-Key', options.idempotencyKey);
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return call.attach('file', bytes, { filename: options.fileName ?? 'pensions.csv', contentType: 'text/csv' });
}

export interface FundSnapshot {
  bulks: number;
  transfers: number;
  reserved: string;
  balance: string;
}

/** What the fund has in the database: bulks, lines and the account's money. */
export async function snapshot(fund: Fund): Promise<FundSnapshot> {
  const knex = db();
  const [bulks] = await knex('bulk_transfers')
    .where('organization_id', fund.organization.id)
    .count<{ count: string }[]>('* as count');
  const [transfers] = await knex('individual_transfers as t')
    .join('bulk_transfers as b', 'b.bulk_id', 't.bulk_id')
    .where('b.organization_id', fund.organization.id)
    .count<{ count: string }[]>('* as count');
  const account = await knex('accounts').where('id', fund.account.id).first('balance', 'reserved');
  return {
    bulks: Number(bulks!.count),
    transfers: Number(transfers!.count),
    reserved: account.reserved,
    balance: account.balance,
  };
}

export type BulkAction = 'approve' | 'reject' | 'cancel' | 'retry-failed';

/** POST /api/bulk-transfers/{bulk_id}/{action}, expecting `status`, the answer checked against the description. */
export async function actOnBulk(
  server: TestServer,
  action: BulkAction,
  bulkId: string,
  token: string,
  status: number,
  body?: object,
) {
  const call = request(server).post(`/api/bulk-transfers/${bulkId}/${action}`).set(authHeader(token));
  if (body !== undefined) call.send(body);
  return conforms(await call.expect(status), 'post', `/api/bulk-transfers/{bulk_id}/${action}`);
}

/** GET /api/bulk-transfers/{bulk_id}/details, as documented. */
export async function bulkDetails(server: TestServer, bulkId: string, token: string) {
  return conforms(
    await request(server).get(`/api/bulk-transfers/${bulkId}/details`).set(authHeader(token)).expect(200),
    'get',
    '/api/bulk-transfers/{bulk_id}/details',
  );
}
