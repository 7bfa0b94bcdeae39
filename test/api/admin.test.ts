import { type AddressInfo, createServer, type Server } from 'node:net';
import request from 'supertest';
import { closeDb, db } from '../support/database';
import { User } from '../../src/models';
import {
  authHeader,
  createOrganization,
  createTestApp,
  createUser,
  loginAs,
  strongPassword,
  type TestServer,
  uniqueEmail,
} from '../support/fixtures';
import { auditOf, outboxMailsTo } from '../support/adminFixtures';

const { server } = createTestApp();

function createUserRequest(target: TestServer, token: string, body: object) {
  return request(target).post('/api/admin/users/create').set(authHeader(token)).send(body);
}

function newUserBody(overrides: object = {}) {
  return { email: uniqueEmail('new'), first_name: 'Afi', last_name: 'Houngbo', role: 'GESTIONNAIRE', ...overrides };
}

async function staffToken(organizationId?: number): Promise<{ token: string; organizationId: number; userId: number }> {
  const organization = organizationId ?? (await createOrganization()).id;
  const admin = await createUser({ organizationId: organization, isStaff: true });
  return {
    token: await loginAs(server, admin.email, admin.password),
    organizationId: organization,
    userId: admin.user.id,
  };
}

afterAll(closeDb);

describe('POST /api/admin/users/create', () => {
  it('creates a user in the admin organization, mails a temporary password to the outbox, which must then be changed', async () => {
    const admin = await staffToken();
    const body = newUserBody({ role: 'SUPERVISEUR', phone_number: '+22997001122' });

    const response = await createUserRequest(server, admin.token, body).expect(201);

    expect(response.body).toEqual({
      user: {
        id: expect.any(Number),
        email: body.email,
        first_name: 'Afi',
        last_name: 'Houngbo',
        role: 'SUPERVISEUR',
        is_staff: false,
        phone_number: '+22997001122',
        must_change_password: true,
        organization: { id: admin.organizationId, code: expect.any(String), name: expect.any(String) },
      },
      temporary_password: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/),
      email_sent: true,
      email_delivery: 'outbox',
      message: 'Utilisateur créé avec succès. Un email a été envoyé.',
    });
    const temporaryPassword: string = response.body.temporary_password;

    const mails = await outboxMailsTo(body.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain(temporaryPassword);

    const [audited, ...more] = await auditOf('user', response.body.user.id);
    expect(more).toEqual([]);
    expect(audited).toMatchObject({
      kind: 'user.created',
      actor_user_id: admin.userId,
      organization_id: admin.organizationId,
      before: null,
      after: {
        email: body.email,
        role: 'SUPERVISEUR',
        is_staff: false,
        is_active: true,
        organization_id: admin.organizationId,
      },
      request_id: response.headers['x-request-id'],
    });

    const stored = await User.query().findById(response.body.user.id);
    expect(stored?.password_hash).toMatch(/^\$argon2id\$/);
    expect(stored?.password_hash).not.toContain(temporaryPassword);

    const token = await loginAs(server, body.email, temporaryPassword);
    const gated = await createUserRequest(server, token, newUserBody()).expect(403);
    expect(gated.body.error.code).toBe('password_change_required');
    const newPassword = strongPassword();
    await request(server)
      .post('/api/auth/change-password')
      .set(authHeader(token))
      .send({ old_password: temporaryPassword, new_password: newPassword })
      .expect(200);
    const profile = await request(server)
      .get('/api/auth/profile')
      .set(authHeader(await loginAs(server, body.email, newPassword)));
    expect(profile.body.must_change_password).toBe(false);
  });

  it('creates the user in another organization when asked, and staff when asked', async () => {
    const admin = await staffToken();
    const other = await createOrganization();
    const response = await createUserRequest(
      server,
      admin.token,
      newUserBody({ organization_id: other.id, is_staff: true }),
    ).expect(201);
    expect(response.body.user.organization).toEqual({ id: other.id, code: other.code, name: other.name });
    expect(response.body.user.is_staff).toBe(true);
  });

  it('is for staff only: gestionnaires and superviseurs get 403, anonymous callers 401', async () => {
    for (const role of ['GESTIONNAIRE', 'SUPERVISEUR'] as const) {
      const user = await createUser({ role });
      const token = await loginAs(server, user.email, user.password);
      const body = newUserBody();
      const response = await createUserRequest(server, token, body).expect(403);
      expect(response.body.error.code).toBe('permission_denied');
      expect(await User.query().findOne({ email: body.email })).toBeUndefined();
    }
    await request(server).post('/api/admin/users/create').send(newUserBody()).expect(401);
  });

  it('answers 409 email_taken for an existing email, whatever its case', async () => {
    const admin = await staffToken();
    const existing = await createUser();
    const response = await createUserRequest(
      server,
      admin.token,
      newUserBody({ email: existing.email.toUpperCase() }),
    ).expect(409);
    expect(response.body.error.code).toBe('email_taken');

    const body = newUserBody();
    await createUserRequest(server, admin.token, body).expect(201);
    await createUserRequest(server, admin.token, { ...body, email: body.email.toUpperCase() }).expect(409);
    // The refused creations rolled back with nothing recorded: one audit entry, the one user created.
    expect(
      await db()('audit_log')
        .where({ actor_user_id: admin.userId, kind: 'user.created' })
        .count<[{ count: string }]>('* as count'),
    ).toEqual([{ count: '1' }]);
  });

  it('answers 400 with details per field and creates nothing', async () => {
    const admin = await staffToken();
    const invalid = await createUserRequest(server, admin.token, {
      email: 'not-an-email',
      first_name: '',
      role: 'ADMIN',
      phone_number: 'call me',
      is_staff: 'yes',
    }).expect(400);
    expect(invalid.body.error.code).toBe('validation_error');
    expect(Object.keys(invalid.body.error.details).sort()).toEqual([
      'email',
      'first_name',
      'is_staff',
      'last_name',
      'phone_number',
      'role',
    ]);
    expect(await User.query().findOne({ email: 'not-an-email' })).toBeUndefined();

    const unknownOrganization = await createUserRequest(
      server,
      admin.token,
      newUserBody({ organization_id: 2_000_000_000 }),
    ).expect(400);
    expect(Object.keys(unknownOrganization.body.error.details)).toEqual(['organization_id']);
  });

  it('sends the mail through SMTP when EMAIL_HOST is set', async () => {
    const smtp = await startSmtpRecorder();
    try {
      const { server: smtpApp } = createTestApp({
        EMAIL_HOST: '127.0.0.1',
        EMAIL_PORT: String(smtp.port),
        EMAIL_USE_TLS: 'false',
      });
      const admin = await staffToken();
      const body = newUserBody();

      const response = await createUserRequest(smtpApp, admin.token, body).expect(201);

      expect(response.body).toMatchObject({
        email_sent: true,
        email_delivery: 'smtp',
        message: 'Utilisateur créé avec succès. Un email a été envoyé.',
      });
      expect(smtp.messages).toHaveLength(1);
      expect(smtp.messages[0]!.recipients).toEqual([`<${body.email}>`]);
      expect(smtp.messages[0]!.data).toContain(response.body.temporary_password);
      expect(await outboxMailsTo(body.email)).toHaveLength(0);
    } finally {
      await smtp.stop();
    }
  });

  it('still creates the user, saying so, when the SMTP server cannot be reached', async () => {
    const closedPort = await unusedPort();
    const { server: brokenMailApp } = createTestApp({
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(closedPort),
      EMAIL_USE_TLS: 'false',
    });
    const admin = await staffToken();
    const body = newUserBody();

    const response = await createUserRequest(brokenMailApp, admin.token, body).expect(201);

    expect(response.body).toMatchObject({ email_sent: false, email_delivery: 'failed' });
    expect(response.body.message).toContain("n'a pas pu être envoyé");
    await loginAs(server, body.email, response.body.temporary_password);
  });
});

interface RecordedMail {
  recipients: string[];
  data: string;
}

/** Just enough SMTP (no TLS, no auth) to receive what the mailer sends. */
async function startSmtpRecorder(): Promise<{ port: number; messages: RecordedMail[]; stop: () => Promise<void> }> {
  const messages: RecordedMail[] = [];
  const listener: Server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let current: RecordedMail = { recipients: [], data: '' };
    socket.write('220 recorder ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end === -1) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          messages.push(current);
          current = { recipients: [], data: '' };
          inData = false;
          socket.write('250 queued\r\n');
          continue;
        }
        const lineEnd = buffer.indexOf('\r\n');
        if (lineEnd === -1) return;
        const line = buffer.slice(0, lineEnd);
        buffer = buffer.slice(lineEnd + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 recorder\r\n');
        else if (verb === 'RCPT') {
          current.recipients.push(line.replace(/^RCPT TO:/i, '').trim());
          socket.write('250 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return {
    port: (listener.address() as AddressInfo).port,
    messages,
    stop: () => new Promise((resolve) => listener.close(() => resolve())),
  };
}

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
