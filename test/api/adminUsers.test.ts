/**
 * The admin side's users (/api/admin/users) and an organization's own list (/api/organization/users), through the
 * real app and the real Postgres: who may call each route, what each change does to sessions, mail and the audit
 * log, and that another organization's user is never disclosed.
 */
import request from 'supertest';
import { closeDb, db } from '../support/database';
import { asCaller, auditOf, type Caller, callers, outboxMailsTo, signIn } from '../support/adminFixtures';
import {
  authHeader,
  createOrganization,
  createTestApp,
  createUser,
  loginAs,
  strongPassword,
} from '../support/fixtures';
import { conforms } from '../support/openApiContract';

const { server } = createTestApp();

afterAll(closeDb);

describe('who may call the admin user routes', () => {
  const routes: Array<{
    method: 'get' | 'post' | 'patch';
    path: string;
    documented: string;
    body?: object;
    status: number;
  }> = [
    { method: 'get', path: '/api/admin/users', documented: '/api/admin/users', status: 200 },
    { method: 'get', path: '/api/admin/users/:id', documented: '/api/admin/users/{user_id}', status: 200 },
    {
      method: 'patch',
      path: '/api/admin/users/:id',
      documented: '/api/admin/users/{user_id}',
      body: { first_name: 'Rachida' },
      status: 200,
    },
    {
      method: 'post',
      path: '/api/admin/users/:id/deactivate',
      documented: '/api/admin/users/{user_id}/deactivate',
      status: 200,
    },
    {
      method: 'post',
      path: '/api/admin/users/:id/reactivate',
      documented: '/api/admin/users/{user_id}/reactivate',
      status: 200,
    },
    {
      method: 'post',
      path: '/api/admin/users/:id/reset-password',
      documented: '/api/admin/users/{user_id}/reset-password',
      status: 200,
    },
  ];

  it.each(routes)('$method $path: staff only (403 for organization users, 401 anonymous)', async (route) => {
    const tokens = await callers(server);
    const expected: Record<Caller, number> = {
      staff: route.status,
      GESTIONNAIRE: 403,
      SUPERVISEUR: 403,
      anonymous: 401,
    };
    for (const caller of ['GESTIONNAIRE', 'SUPERVISEUR', 'anonymous', 'staff'] as const) {
      const target = await createUser({ role: 'SUPERVISEUR' });
      const call = request(server)[route.method](route.path.replace(':id', String(target.user.id)));
      const response = await asCaller(call, caller === 'anonymous' ? undefined : tokens[caller]).send(route.body);
      expect({ caller, status: response.status }).toEqual({ caller, status: expected[caller] });
      conforms(response, route.method, route.documented);
      if (expected[caller] === 403) expect(response.body.error.code).toBe('permission_denied');
    }
  });

  it('a user id that names nobody, or is no id, is 404', async () => {
    const staff = await signIn(server, { isStaff: true });
    for (const id of ['2000000000', 'abc', '0', '-1']) {
      const response = await request(server).get(`/api/admin/users/${id}`).set(authHeader(staff.token)).expect(404);
      expect(response.body.error.code).toBe('not_found');
    }
  });
});

describe('GET /api/admin/users', () => {
  it('filters by organization, role and active, and pages', async () => {
    const staff = await signIn(server, { isStaff: true });
    const organization = await createOrganization();
    const gestionnaire = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
    const superviseur = await createUser({ organizationId: organization.id, role: 'SUPERVISEUR' });
    const inactive = await createUser({ organizationId: organization.id, role: 'SUPERVISEUR', isActive: false });
    const list = (query: string) =>
      request(server)
        .get(`/api/admin/users?organization_id=${organization.id}${query}`)
        .set(authHeader(staff.token))
        .expect(200);

    const all = conforms(await list(''), 'get', '/api/admin/users');
    expect(all.body).toMatchObject({ total: 3, count: 3, limit: 50, offset: 0 });
    expect(all.body.results.map((user: { id: number }) => user.id)).toEqual([
      gestionnaire.user.id,
      superviseur.user.id,
      inactive.user.id,
    ]);
    expect(all.body.results[0]).toEqual({
      id: gestionnaire.user.id,
      email: gestionnaire.email,
      first_name: 'Test',
      last_name: 'User',
      role: 'GESTIONNAIRE',
      is_staff: false,
      is_active: true,
      phone_number: null,
      must_change_password: false,
      organization: { id: organization.id, code: organization.code, name: organization.name },
      last_login: null,
      created_at: expect.any(String),
    });
    expect((await list('&role=superviseur')).body.results.map((user: { id: number }) => user.id)).toEqual([
      superviseur.user.id,
      inactive.user.id,
    ]);
    expect((await list('&is_active=false')).body.results.map((user: { id: number }) => user.id)).toEqual([
      inactive.user.id,
    ]);
    const second = (await list('&limit=1&offset=1')).body;
    expect(second).toMatchObject({ total: 3, count: 1, limit: 1, offset: 1, results: [{ id: superviseur.user.id }] });

    const refused = await request(server)
      .get('/api/admin/users?is_active=maybe')
      .set(authHeader(staff.token))
      .expect(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_filter', details: { field: 'is_active' } });
  });
});

describe('PATCH /api/admin/users/:id', () => {
  it('changes names, phone and role, and audits the values before and after with the request id', async () => {
    const staff = await signIn(server, { isStaff: true });
    const target = await createUser({ role: 'SUPERVISEUR', firstName: 'Awa' });
    const response = await request(server)
      .patch(`/api/admin/users/${target.user.id}`)
      .set(authHeader(staff.token))
      .set('X-Request-Id', 'req-update-1')
      .send({ first_name: 'Awa', last_name: 'Dossou', phone_number: '+22997001122', role: 'GESTIONNAIRE' })
      .expect(200);
    expect(response.body).toMatchObject({
      first_name: 'Awa',
      last_name: 'Dossou',
      phone_number: '+22997001122',
      role: 'GESTIONNAIRE',
    });

    const [entry, ...others] = await auditOf('user', target.user.id);
    expect(others).toEqual([]);
    expect(entry).toMatchObject({
      kind: 'user.updated',
      actor_user_id: staff.user.id,
      actor_email: staff.email,
      organization_id: target.user.organization_id,
      before: { last_name: 'User', phone_number: null, role: 'SUPERVISEUR' },
      after: { last_name: 'Dossou', phone_number: '+22997001122', role: 'GESTIONNAIRE' },
      request_id: 'req-update-1',
    });

    // The same values again change nothing and record nothing.
    await request(server)
      .patch(`/api/admin/users/${target.user.id}`)
      .set(authHeader(staff.token))
      .send({ last_name: 'Dossou' })
      .expect(200);
    expect(await auditOf('user', target.user.id)).toHaveLength(1);
  });

  it('refuses what cannot be changed here (email, is_staff) and a wrong role, changing nothing', async () => {
    const staff = await signIn(server, { isStaff: true });
    const target = await createUser();
    for (const body of [{ email: 'x@test.example' }, { is_staff: true }, { role: 'ADMIN' }, { first_name: '' }]) {
      const refused = await request(server)
        .patch(`/api/admin/users/${target.user.id}`)
        .set(authHeader(staff.token))
        .send(body)
        .expect(400);
      expect(refused.body.error.code).toBe('validation_error');
    }
    expect(await auditOf('user', target.user.id)).toEqual([]);
  });
});

describe('deactivating and reactivating', () => {
  it('ends every session at once: the access token issued before is refused, and so is its refresh token, even after reactivation', async () => {
    const staff = await signIn(server, { isStaff: true });
    const target = await signIn(server, { role: 'GESTIONNAIRE' });
    await request(server).get('/api/auth/profile').set(authHeader(target.token)).expect(200);

    const deactivated = await request(server)
      .post(`/api/admin/users/${target.user.id}/deactivate`)
      .set(authHeader(staff.token))
      .set('X-Request-Id', 'req-deactivate-1')
      .expect(200);
    expect(deactivated.body.is_active).toBe(false);
    const refused = await request(server).get('/api/auth/profile').set(authHeader(target.token)).expect(401);
    expect(refused.body.error.code).toBe('user_inactive');
    await request(server).post('/api/auth/login').send({ email: target.email, password: target.password }).expect(401);

    // Deactivating again changes nothing and records nothing.
    await request(server)
      .post(`/api/admin/users/${target.user.id}/deactivate`)
      .set(authHeader(staff.token))
      .expect(200);

    const reactivated = await request(server)
      .post(`/api/admin/users/${target.user.id}/reactivate`)
      .set(authHeader(staff.token))
      .expect(200);
    expect(reactivated.body.is_active).toBe(true);
    const stillEnded = await request(server).get('/api/auth/profile').set(authHeader(target.token)).expect(401);
    expect(stillEnded.body.error.code).toBe('token_not_valid');
    await request(server).post('/api/auth/token/refresh').send({ refresh: target.refresh }).expect(401);
    const fresh = await loginAs(server, target.email, target.password);
    await request(server).get('/api/auth/profile').set(authHeader(fresh)).expect(200);

    const entries = await auditOf('user', target.user.id);
    expect(entries.map((entry) => [entry.kind, entry.before, entry.after])).toEqual([
      ['user.deactivated', { is_active: true }, { is_active: false }],
      ['user.reactivated', { is_active: false }, { is_active: true }],
    ]);
    expect(entries[0]!.request_id).toBe('req-deactivate-1');
  });

  it('a staff user cannot deactivate themselves', async () => {
    const staff = await signIn(server, { isStaff: true });
    const refused = await request(server)
      .post(`/api/admin/users/${staff.user.id}/deactivate`)
      .set(authHeader(staff.token))
      .expect(409);
    expect(refused.body.error.code).toBe('cannot_deactivate_self');
    await request(server).get('/api/admin/users').set(authHeader(staff.token)).expect(200);
  });
});

describe('POST /api/admin/users/:id/reset-password', () => {
  it('mails a new temporary password, ends the sessions, and the user must change it before anything else', async () => {
    const staff = await signIn(server, { isStaff: true });
    const target = await signIn(server, { role: 'SUPERVISEUR' });

    const response = conforms(
      await request(server)
        .post(`/api/admin/users/${target.user.id}/reset-password`)
        .set(authHeader(staff.token))
        .expect(200),
      'post',
      '/api/admin/users/{user_id}/reset-password',
    );
    expect(response.body).toMatchObject({
      user: { id: target.user.id, must_change_password: true },
      email_sent: true,
      email_delivery: 'outbox',
      message: 'Mot de passe réinitialisé. Un email a été envoyé.',
    });
    const temporaryPassword: string = response.body.temporary_password;
    const mails = await outboxMailsTo(target.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain(temporaryPassword);

    await request(server).get('/api/auth/profile').set(authHeader(target.token)).expect(401);
    await request(server).post('/api/auth/login').send({ email: target.email, password: target.password }).expect(401);
    const token = await loginAs(server, target.email, temporaryPassword);
    const gated = await request(server).get('/api/organization/users').set(authHeader(token)).expect(403);
    expect(gated.body.error.code).toBe('password_change_required');
    const newPassword = strongPassword();
    await request(server)
      .post('/api/auth/change-password')
      .set(authHeader(token))
      .send({ old_password: temporaryPassword, new_password: newPassword })
      .expect(200);
    await request(server)
      .get('/api/organization/users')
      .set(authHeader(await loginAs(server, target.email, newPassword)))
      .expect(200);

    const [entry] = await auditOf('user', target.user.id);
    expect(entry).toMatchObject({
      kind: 'user.password_reset',
      actor_user_id: staff.user.id,
      after: { must_change_password: true },
    });
    expect(JSON.stringify(entry)).not.toContain(temporaryPassword);
  });

  it('answers in English on request', async () => {
    const staff = await signIn(server, { isStaff: true });
    const target = await createUser();
    const response = await request(server)
      .post(`/api/admin/users/${target.user.id}/reset-password`)
      .set(authHeader(staff.token))
      .set('Accept-Language', 'en')
      .expect(200);
    expect(response.body.message).toBe('Password reset. An email was sent.');
  });
});

describe('GET /api/organization/users', () => {
  it("shows an organization's users their colleagues, read-only, never another organization's", async () => {
    const organization = await createOrganization();
    const checker = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE', firstName: 'Koffi' });
    const superviseur = await signIn(server, { organizationId: organization.id, role: 'SUPERVISEUR' });
    const outsider = await createUser({ role: 'GESTIONNAIRE' });

    const list = conforms(
      await request(server)
        .get('/api/organization/users?role=GESTIONNAIRE')
        .set(authHeader(superviseur.token))
        .expect(200),
      'get',
      '/api/organization/users',
    );
    expect(list.body).toEqual({
      total: 1,
      count: 1,
      limit: 50,
      offset: 0,
      results: [
        {
          id: checker.user.id,
          email: checker.email,
          first_name: 'Koffi',
          last_name: 'User',
          role: 'GESTIONNAIRE',
          is_active: true,
        },
      ],
    });
    await request(server)
      .get(`/api/organization/users/${checker.user.id}`)
      .set(authHeader(superviseur.token))
      .expect(200);
    const hidden = await request(server)
      .get(`/api/organization/users/${outsider.user.id}`)
      .set(authHeader(superviseur.token))
      .expect(404);
    expect(hidden.body.error.code).toBe('not_found');
    // Asking for another organization's users is not a filter here: the caller's own only.
    const own = await request(server)
      .get(`/api/organization/users?organization_id=${outsider.user.organization_id}`)
      .set(authHeader(superviseur.token));
    expect(own.body.results.map((user: { id: number }) => user.id).sort()).toEqual(
      [checker.user.id, superviseur.user.id].sort(),
    );

    await request(server).get('/api/organization/users').expect(401);
    const noOrganization = await signIn(server, { isStaff: true, organizationId: null });
    await request(server).get('/api/organization/users').set(authHeader(noOrganization.token)).expect(403);
    await request(server)
      .patch(`/api/organization/users/${checker.user.id}`)
      .set(authHeader(superviseur.token))
      .send({ role: 'SUPERVISEUR' })
      .expect(405);
    expect(await db()('users').where('id', checker.user.id).first('role')).toEqual({ role: 'GESTIONNAIRE' });
  });
});
