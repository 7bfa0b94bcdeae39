/**
 * Callers of the admin routes, and the audit log as the tests read it, for test/api/admin*.test.ts.
 *
 *   const staff = await signIn(server, { isStaff: true });
 *   await request(server).get('/api/admin/users').set(authHeader(staff.token)).expect(200);
 *   expect(await auditOf('user', staff.user.id)).toEqual([...]);
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { config } from '../../src/config';
import { db } from './database';
import type { User } from '../../src/models';
import { authHeader, createOrganization, createUser, type CreateUserOptions, type TestServer } from './fixtures';

export interface Session {
  user: User;
  email: string;
  password: string;
  token: string;
  refresh: string;
}

/** A new user (of a new organization unless given), signed in through the API. */
export async function signIn(server: TestServer, options: CreateUserOptions = {}): Promise<Session> {
  const organizationId =
    options.organizationId === undefined ? (await createOrganization()).id : options.organizationId;
  const created = await createUser({ ...options, organizationId });
  const response = await request(server)
    .post('/api/auth/login')
    .send({ email: created.email, password: created.password })
    .expect(200);
  return { ...created, token: response.body.access as string, refresh: response.body.refresh as string };
}

/** Who calls in a role matrix: each kind of caller, and the status the route answers them. */
export type Caller = 'staff' | 'GESTIONNAIRE' | 'SUPERVISEUR' | 'anonymous';

/** A token per kind of caller (anonymous: none); the organization users belong to their own new organization. */
export async function callers(server: TestServer): Promise<Record<Exclude<Caller, 'anonymous'>, string>> {
  const staff = await signIn(server, { isStaff: true });
  const gestionnaire = await signIn(server, { role: 'GESTIONNAIRE' });
  const superviseur = await signIn(server, { role: 'SUPERVISEUR' });
  return { staff: staff.token, GESTIONNAIRE: gestionnaire.token, SUPERVISEUR: superviseur.token };
}

export function asCaller(test: request.Test, token: string | undefined): request.Test {
  return token === undefined ? test : test.set(authHeader(token));
}

export interface AuditRow {
  id: string;
  actor_user_id: number | null;
  actor_email: string | null;
  organization_id: number | null;
  kind: string;
  subject_type: string;
  subject_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
  occurred_at: Date;
}

/** The audit rows of one subject, oldest first. */
export async function auditOf(subjectType: string, subjectId: string | number): Promise<AuditRow[]> {
  return db()('audit_log')
    .where({ subject_type: subjectType, subject_id: String(subjectId) })
    .orderBy('id')
    .select<AuditRow[]>('*');
}

/** The .eml files of the outbox addressed to `email`. */
export async function outboxMailsTo(email: string): Promise<string[]> {
  const directory = path.resolve(config().email.outboxDir);
  const names = await readdir(directory).catch(() => [] as string[]);
  const mails = await Promise.all(
    names.filter((name) => name.endsWith('.eml')).map((name) => readFile(path.join(directory, name), 'utf8')),
  );
  return mails.filter((mail) => new RegExp(`^To: ${email.replace(/[.+]/g, '\\$&')}$`, 'm').test(mail));
}
