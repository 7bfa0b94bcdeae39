/** The /api/webhooks routes against the real database: who may, organization scoping, the secret shown once, audit. */
import request from 'supertest';
import { closeDb, db } from '../support/database';
import {
  authHeader,
  createOrganization,
  createTestApp,
  createUser,
  loginAs,
  newUserToken,
  type TestServer,
} from '../support/fixtures';

const register = (server: TestServer, token: string, body: Record<string, unknown>) =>
  request(server).post('/api/webhooks').set(authHeader(token)).send(body);

describe('webhooks API', () => {
  const { server } = createTestApp();
  let organizationId: number;
  let gestionnaire: string;
  let superviseur: string;
  let outsider: string;
  let staff: string;

  beforeAll(async () => {
    organizationId = (await createOrganization()).id;
    gestionnaire = await newUserToken(server, organizationId, 'GESTIONNAIRE');
    superviseur = await newUserToken(server, organizationId, 'SUPERVISEUR');
    outsider = await newUserToken(server, (await createOrganization()).id, 'GESTIONNAIRE');
    const admin = await createUser({ organizationId: null, isStaff: true });
    staff = await loginAs(server, admin.email, admin.password);
  });

  afterAll(closeDb);

  it('registers an endpoint and shows its secret in that answer only; the audit log never holds it', async () => {
    const created = await register(server, gestionnaire, {
      url: 'http://127.0.0.1:9999/hooks',
      events: ['bulk.completed', 'transfer.on_hold'],
    }).expect(201);
    expect(created.body).toMatchObject({
      id: expect.any(Number),
      organization_id: organizationId,
      url: 'http://127.0.0.1:9999/hooks',
      events: ['bulk.completed', 'transfer.on_hold'],
      enabled: true,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/),
    });

    const listed = await request(server).get('/api/webhooks').set(authHeader(gestionnaire)).expect(200);
    const mine = listed.body.results.find((endpoint: { id: number }) => endpoint.id === created.body.id);
    expect(mine).toBeDefined();
    expect(mine).not.toHaveProperty('secret');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

    const audit = await db()('audit_log').where({ subject_type: 'webhook', subject_id: String(created.body.id) });
    expect(audit.map((row) => row.kind)).toEqual(['webhook.created']);
    expect(audit[0].after).toEqual({
      url: 'http://127.0.0.1:9999/hooks',
      events: ['bulk.completed', 'transfer.on_hold'],
    });
    expect(JSON.stringify(audit)).not.toContain(created.body.secret);
  });

  it("answers 404 for another organization's endpoint, and lists only the caller's own", async () => {
    const created = await register(server, gestionnaire, { url: 'http://127.0.0.1:9999/a', events: ['bulk.failed'] });
    const id: number = created.body.id;
    await request(server).get(`/api/webhooks/${id}/deliveries`).set(authHeader(outsider)).expect(404);
    await request(server).post(`/api/webhooks/${id}/test`).set(authHeader(outsider)).expect(404);
    await request(server).delete(`/api/webhooks/${id}`).set(authHeader(outsider)).expect(404);
    const theirs = await request(server).get('/api/webhooks').set(authHeader(outsider)).expect(200);
    expect(theirs.body.results.map((endpoint: { id: number }) => endpoint.id)).not.toContain(id);
    // Naming another organization matches nothing for a non-staff caller.
    await request(server).get(`/api/webhooks?organization_id=${organizationId}`).set(authHeader(outsider)).expect(404);
    // Still there for its own organization.
    await request(server).get(`/api/webhooks/${id}/deliveries`).set(authHeader(gestionnaire)).expect(200);
  });

  it('lets GESTIONNAIRE and staff manage webhooks, not SUPERVISEUR; staff name the organization', async () => {
    await register(server, superviseur, { url: 'http://127.0.0.1:9999/s', events: ['bulk.failed'] }).expect(403);
    await request(server).get('/api/webhooks').set(authHeader(superviseur)).expect(403);

    const missing = await register(server, staff, { url: 'http://127.0.0.1:9999/s', events: ['bulk.failed'] });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('organization_required');
    const created = await register(server, staff, {
      url: 'http://127.0.0.1:9999/staff',
      events: ['bulk.failed'],
      organization_id: organizationId,
    }).expect(201);
    const listed = await request(server)
      .get(`/api/webhooks?organization_id=${organizationId}`)
      .set(authHeader(staff))
      .expect(200);
    expect(listed.body.results.map((endpoint: { id: number }) => endpoint.id)).toContain(created.body.id);
    // The organization's own GESTIONNAIRE sees what staff registered for it.
    const seen = await request(server).get('/api/webhooks').set(authHeader(gestionnaire)).expect(200);
    expect(seen.body.results.map((endpoint: { id: number }) => endpoint.id)).toContain(created.body.id);
  });

  it('refuses unknown events, duplicates and non-http URLs', async () => {
    for (const body of [
      { url: 'http://127.0.0.1:9999/x', events: ['bulk.exploded'] },
      { url: 'http://127.0.0.1:9999/x', events: [] },
      { url: 'http://127.0.0.1:9999/x', events: ['bulk.failed', 'bulk.failed'] },
      { url: 'gopher://127.0.0.1/x', events: ['bulk.failed'] },
    ])
      expect((await register(server, gestionnaire, body)).status).toBe(400);
  });

  it('refuses http and non-public addresses at registration when configured as production is', async () => {
    const strict = createTestApp({ WEBHOOK_ALLOW_HTTP: 'false', WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'false' }).server;
    const token = await newUserToken(strict, organizationId, 'GESTIONNAIRE');
    const expectRefused = async (url: string, code: string) => {
      const refused = await register(strict, token, { url, events: ['bulk.failed'] });
      expect([url, refused.status, refused.body.error?.code]).toEqual([url, 400, code]);
      expect(refused.body.error.details.url).toEqual([expect.any(String)]);
    };
    await expectRefused('http://erp.example.org/hooks', 'webhook_url_not_https');
    await expectRefused('https://127.0.0.1/hooks', 'webhook_address_forbidden');
    await expectRefused('https://localhost:8443/hooks', 'webhook_address_forbidden');
    await expectRefused('https://192.168.1.20/hooks', 'webhook_address_forbidden');
    await expectRefused('https://[fe80::1]/hooks', 'webhook_address_forbidden');
    // A refused registration stores nothing.
    const before = await db()('webhook_endpoints').where('organization_id', organizationId).count('* as count');
    await expectRefused('https://10.0.0.1/hooks', 'webhook_address_forbidden');
    expect(await db()('webhook_endpoints').where('organization_id', organizationId).count('* as count')).toEqual(
      before,
    );
  });

  it('deletes an endpoint: it is gone from the list, its routes 404, and the deletion is audited', async () => {
    const created = await register(server, gestionnaire, { url: 'http://127.0.0.1:9999/d', events: ['bulk.failed'] });
    const id: number = created.body.id;
    await request(server).delete(`/api/webhooks/${id}`).set(authHeader(gestionnaire)).expect(204);
    await request(server).delete(`/api/webhooks/${id}`).set(authHeader(gestionnaire)).expect(404);
    await request(server).get(`/api/webhooks/${id}/deliveries`).set(authHeader(gestionnaire)).expect(404);
    const listed = await request(server).get('/api/webhooks').set(authHeader(gestionnaire)).expect(200);
    expect(listed.body.results.map((endpoint: { id: number }) => endpoint.id)).not.toContain(id);
    const kinds = await db()('audit_log')
      .where({ subject_type: 'webhook', subject_id: String(id) })
      .orderBy('id')
      .pluck('kind');
    expect(kinds).toEqual(['webhook.created', 'webhook.deleted']);
  });

  it('records a test event for the endpoint asked only, shown in its deliveries', async () => {
    const created = await register(server, gestionnaire, { url: 'http://127.0.0.1:9999/t', events: ['bulk.failed'] });
    const other = await register(server, gestionnaire, { url: 'http://127.0.0.1:9999/u', events: ['bulk.failed'] });
    const sent = await request(server).post(`/api/webhooks/${created.body.id}/test`).set(authHeader(gestionnaire));
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ event_id: expect.stringMatching(/^evt_/), delivery_id: expect.any(Number) });
    const deliveries = await request(server)
      .get(`/api/webhooks/${created.body.id}/deliveries`)
      .set(authHeader(gestionnaire))
      .expect(200);
    expect(deliveries.body.results).toEqual([
      expect.objectContaining({ id: sent.body.delivery_id, event_id: sent.body.event_id, event_type: 'webhook.test' }),
    ]);
    const none = await request(server)
      .get(`/api/webhooks/${other.body.id}/deliveries`)
      .set(authHeader(gestionnaire))
      .expect(200);
    expect(none.body.total).toBe(0);
  });
});

describe('POST /api/webhooks/{id}/test rate limit (WEBHOOK_TEST_RATE_LIMIT_*)', () => {
  const LIMIT = 2;
  const WINDOW_SECONDS = 300;
  const { server } = createTestApp({
    WEBHOOK_TEST_RATE_LIMIT_MAX: String(LIMIT),
    WEBHOOK_TEST_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
  });
  let organizationId: number;
  let gestionnaire: string;
  let outsider: string;

  beforeAll(async () => {
    organizationId = (await createOrganization()).id;
    gestionnaire = await newUserToken(server, organizationId, 'GESTIONNAIRE');
    outsider = await newUserToken(server, (await createOrganization()).id, 'GESTIONNAIRE');
  });

  afterAll(closeDb);

  const sendTest = (token: string, id: number) =>
    request(server).post(`/api/webhooks/${id}/test`).set(authHeader(token));
  const testEventsOf = async (id: number): Promise<number> =>
    Number(
      (
        await db()('webhook_deliveries as d')
          .join('webhook_events as e', 'e.id', 'd.event_id')
          .where({ 'd.endpoint_id': id, 'e.type': 'webhook.test' })
          .count<Array<{ count: string }>>('* as count')
      )[0]?.count,
    );

  it('answers 429 rate_limited with Retry-After past the limit per endpoint, records nothing more, and lets other endpoints be tested', async () => {
    const url = 'http://127.0.0.1:9999/limited';
    const limited: number = (await register(server, gestionnaire, { url, events: ['bulk.failed'] }).expect(201)).body
      .id;
    const other: number = (await register(server, gestionnaire, { url: `${url}/other`, events: ['bulk.failed'] })).body
      .id;
    // Another organization's attempts are 404 and spend nothing of this endpoint's allowance.
    await sendTest(outsider, limited).expect(404);
    for (let attempt = 0; attempt < LIMIT; attempt += 1) await sendTest(gestionnaire, limited).expect(202);

    const refused = await sendTest(gestionnaire, limited).expect(429);
    expect(refused.body.error.code).toBe('rate_limited');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(refused.body.error.details).toEqual({ retry_after_seconds: retryAfter });
    expect(await testEventsOf(limited)).toBe(LIMIT);

    await sendTest(gestionnaire, other).expect(202);

    // Once the window has elapsed (aged as if WINDOW_SECONDS had passed), the endpoint may be tested again.
    const aged = await db()('rate_limit_windows')
      .where({ scope: 'webhook_test', key: String(limited) })
      .update({ window_started_at: db().raw(`window_started_at - ? * interval '1 second'`, [WINDOW_SECONDS + 1]) });
    expect(aged).toBe(1);
    await sendTest(gestionnaire, limited).expect(202);
  });
});
