/**
 * Rows for API tests, written straight to the real test database, and logging in through the real API.
 * Every helper makes unique codes and emails: test files share one database per run.
 *
 *   const org = await createOrganization();
 *   const { user, email, password } = await createUser({ organizationId: org.id, role: 'GESTIONNAIRE' });
 *   const account = await createAccount({ organizationId: org.id, balance: 1_000_000n });
 *   const token = await loginAs(server, email, password);
 *   await request(server).get('/api/...').set(authHeader(token)).expect(200);
 *
 * The login limiter counts failed logins per client IP (LOGIN_RATE_LIMIT_MAX per window), and every test
 * calls from 127.0.0.1 (the test configuration raises the limit for it: test/setup/testEnvironment.ts). A test that
 * fails logins on purpose should set `app.proxy = true` on its createTestApp() app and send its own
 * `X-Forwarded-For` address, as test/api/auth*.test.ts do.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type Koa from 'koa';
import { createApp } from '../../src/api/app';
import { hashPassword } from '../../src/auth/passwords';
import { lazyTemporalClient } from '../../src/clients/temporal';
import { buildConfig, config, type Config } from '../../src/config';
import { db } from './database';
import { Account, Organization, User, type UserRole } from '../../src/models';
import { fundForTest } from './accountFunding';

export type TestServer = Parameters<typeof request>[0];

let sequence = 0;

/** Short, unique within the run (and very likely across runs). */
export function uniqueSuffix(): string {
  sequence += 1;
  return `${sequence.toString(36)}${randomBytes(3).toString('hex')}`;
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${uniqueSuffix()}@test.example`;
}

/** A password that satisfies the password policy. */
export function strongPassword(): string {
  return `Pw-${randomBytes(12).toString('base64url')}`;
}

/** The API with the test configuration, or with some variables overridden (e.g. LOGIN_RATE_LIMIT_MAX). */
export function createTestApp(envOverrides: Record<string, string> = {}): {
  app: Koa;
  server: TestServer;
  config: Config;
} {
  const settings = Object.keys(envOverrides).length === 0 ? config() : buildConfig({ ...process.env, ...envOverrides });
  const app = createApp({ config: settings, db: db(), temporal: lazyTemporalClient(settings.temporal) });
  return { app, server: app.callback(), config: settings };
}

export async function createOrganization(
  overrides: Partial<Pick<Organization, 'code' | 'name' | 'is_active'>> = {},
): Promise<Organization> {
  db(); // binds the models to the pool
  const code = overrides.code ?? `T${uniqueSuffix().toUpperCase()}`;
  return Organization.query().insertAndFetch({
    code,
    name: overrides.name ?? `Caisse ${code}`,
    is_active: overrides.is_active ?? true,
  });
}

export interface CreateUserOptions {
  organizationId?: number | null;
  role?: UserRole;
  isStaff?: boolean;
  /** Defaults to a fresh policy-compliant password, returned with the user. */
  password?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  phoneNumber?: string | null;
  isActive?: boolean;
  mustChangePassword?: boolean;
}

export interface CreatedUser {
  user: User;
  email: string;
  password: string;
}

/** A user of `organizationId` (a new organization when omitted; pass null for none). */
export async function createUser(options: CreateUserOptions = {}): Promise<CreatedUser> {
  db();
  const organizationId =
    options.organizationId === undefined ? (await createOrganization()).id : options.organizationId;
  const password = options.password ?? strongPassword();
  const email = options.email ?? uniqueEmail(options.role?.toLowerCase() ?? 'user');
  const user = await User.query().insertAndFetch({
    email,
    first_name: options.firstName ?? 'Test',
    last_name: options.lastName ?? 'User',
    role: options.role ?? 'GESTIONNAIRE',
    is_staff: options.isStaff ?? false,
    organization_id: organizationId,
    phone_number: options.phoneNumber ?? null,
    password_hash: await hashPassword(password),
    must_change_password: options.mustChangePassword ?? false,
    is_active: options.isActive ?? true,
  });
  return { user, email, password };
}

export interface CreateAccountOptions {
  organizationId: number;
  currency?: string;
  /** Minor units. */
  balance?: bigint | number | string;
  accountId?: string;
  partyIdType?: string;
  partyIdentifier?: string;
}

/** The balance is deposited through the journal, as real money arrives, so the journal and the account agree. */
export async function createAccount(options: CreateAccountOptions): Promise<Account> {
  db();
  const account = await Account.query().insertAndFetch({
    account_id: options.accountId ?? `ACC-T-${uniqueSuffix().toUpperCase()}`,
    organization_id: options.organizationId,
    party_id_type: options.partyIdType ?? 'MSISDN',
    party_identifier: options.partyIdentifier ?? '22997000099',
    currency: options.currency ?? 'XOF',
  });
  await fundForTest(db(), account.id, BigInt(options.balance ?? 0));
  return Account.query().findById(account.id).throwIfNotFound();
}

/** Logs in through POST /api/auth/login and returns the access token; fails the test on anything but 200. */
export async function loginAs(server: TestServer, email: string, password: string): Promise<string> {
  const response = await request(server).post('/api/auth/login').send({ email, password });
  if (response.status !== 200) {
    throw new Error(`login of ${email} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body.access as string;
}

export function authHeader(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** A new user of the organization with that role, logged in: its access token. */
export async function newUserToken(server: TestServer, organizationId: number, role: UserRole): Promise<string> {
  const { email, password } = await createUser({ organizationId, role });
  return loginAs(server, email, password);
}

/** Deactivates or reactivates an organization, as an operator does by SQL. */
export async function setOrganizationActive(organizationId: number, active: boolean): Promise<void> {
  await db()('organizations').where('id', organizationId).update({ is_active: active });
}
