/**
 * The admin side's organizations, accounts, deposits and audit log, through the real app and the real Postgres:
 * who may call, what is recorded (once, in the change's transaction), and that the log cannot be rewritten.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { closeDb, db } from '../support/database';
import { beginBulk } from '../../src/payouts/store/bulkStore';
import { asCaller, auditOf, type Caller, callers, signIn } from '../support/adminFixtures';
import { authHeader, createAccount, createOrganization, createTestApp, uniqueSuffix } from '../support/fixtures';
import { expectJournalAgrees } from '../support/journalInvariant';
import { conforms } from '../support/openApiContract';
import { createPayerAccount, insertBulk } from '../support/payoutFixtures';

const { server } = createTestApp();

afterAll(closeDb);

const newCode = () => `F${uniqueSuffix().toUpperCase()}`;

describe('who may call the admin fund routes', () => {
  type Route = {
    method: 'get' | 'post' | 'patch';
    path: () => Promise<string>;
    documented: string;
    body?: () => Promise<object>;
    status: number;
  };
  const routes: Route[] = [
    {
      method: 'get',
      path: async () => '/api/admin/organizations',
      documented: '/api/admin/organizations',
      status: 200,
    },
    {
      method: 'get',
      path: async () => `/api/admin/organizations/${(await createOrganization()).id}`,
      documented: '/api/admin/organizations/{organization_id}',
      status: 200,
    },
    {
      method: 'post',
      path: async () => '/api/admin/organizations',
      documented: '/api/admin/organizations',
      body: async () => ({ code: newCode(), name: 'Caisse de retraite' }),
      status: 201,
    },
    {
      method: 'patch',
      path: async () => `/api/admin/organizations/${(await createOrganization()).id}`,
      documented: '/api/admin/organizations/{organization_id}',
      body: async () => ({ requires_approval: true }),
      status: 200,
    },
    {
      method: 'post',
      path: async () => '/api/admin/accounts',
      documented: '/api/admin/accounts',
      body: async () => ({
        account_id: `ACC-${newCode()}`,
        organization_id: (await createOrganization()).id,
        party_id_type: 'MSISDN',
        party_identifier: '22997000001',
        currency: 'XOF',
      }),
      status: 201,
    },
    { method: 'get', path: async () => '/api/admin/audit', documented: '/api/admin/audit', status: 200 },
  ];

  it.each(routes)('$method $documented: staff only (403 for organization users, 401 anonymous)', async (route) => {
    const tokens = await callers(server);
    const expected: Record<Caller, number> = {
      staff: route.status,
      GESTIONNAIRE: 403,
      SUPERVISEUR: 403,
      anonymous: 401,
    };
    for (const caller of ['GESTIONNAIRE', 'SUPERVISEUR', 'anonymous', 'staff'] as const) {
      const call = request(server)[route.method](await route.path());
      const response = await asCaller(call, caller === 'anonymous' ? undefined : tokens[caller]).send(
        await route.body?.(),
      );
      expect({ caller, status: response.status }).toEqual({ caller, status: expected[caller] });
      conforms(response, route.method, route.documented);
    }
  });
});

describe('organizations', () => {
  it('are created, listed, read and updated, each change audited with before and after', async () => {
    const staff = await signIn(server, { isStaff: true });
    const code = newCode();
    const created = await request(server)
      .post('/api/admin/organizations')
      .set(authHeader(staff.token))
      .set('X-Request-Id', 'req-org-create')
      .send({ code, name: 'Caisse des retraites du Nord', approval_timeout_hours: 48 })
      .expect(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      code,
      name: 'Caisse des retraites du Nord',
      is_active: true,
      requires_approval: false,
      approval_timeout_hours: 48,
      created_at: expect.any(String),
    });
    const id: number = created.body.id;
    const duplicate = await request(server)
      .post('/api/admin/organizations')
      .set(authHeader(staff.token))
      .send({ code, name: 'Autre' })
      .expect(409);
    expect(duplicate.body.error.code).toBe('organization_code_taken');

    const updated = await request(server)
      .patch(`/api/admin/organizations/${id}`)
      .set(authHeader(staff.token))
      .send({ is_active: false, requires_approval: true, approval_timeout_hours: null })
      .expect(200);
    expect(updated.body).toMatchObject({ is_active: false, requires_approval: true, approval_timeout_hours: null });
    expect(
      (await request(server).get(`/api/admin/organizations/${id}`).set(authHeader(staff.token)).expect(200)).body,
    ).toEqual(updated.body);
    const inactive = await request(server)
      .get('/api/admin/organizations?is_active=false&limit=200')
      .set(authHeader(staff.token))
      .expect(200);
    expect(inactive.body.results.map((organization: { id: number }) => organization.id)).toContain(id);
    await request(server)
      .patch(`/api/admin/organizations/${id}`)
      .set(authHeader(staff.token))
      .send({ code: 'OTHER' })
      .expect(400);
    await request(server).get('/api/admin/organizations/2000000000').set(authHeader(staff.token)).expect(404);

    const entries = await auditOf('organization', id);
    expect(entries.map((entry) => [entry.kind, entry.before, entry.after])).toEqual([
      [
        'organization.created',
        null,
        {
          code,
          name: 'Caisse des retraites du Nord',
          is_active: true,
          requires_approval: false,
          approval_timeout_hours: 48,
        },
      ],
      [
        'organization.updated',
        { is_active: true, requires_approval: false, approval_timeout_hours: 48 },
        { is_active: false, requires_approval: true, approval_timeout_hours: null },
      ],
    ]);
    expect(entries[0]).toMatchObject({
      organization_id: id,
      actor_user_id: staff.user.id,
      request_id: 'req-org-create',
    });
  });

  it("a bulk waits for approval as long as its organization's approval_timeout_hours says, else the platform's timeout", async () => {
    const staff = await signIn(server, { isStaff: true });
    const payer = await createPayerAccount(db(), 1_000_000n);
    await request(server)
      .patch(`/api/admin/organizations/${payer.organizationId}`)
      .set(authHeader(staff.token))
      .send({ requires_approval: true, approval_timeout_hours: 5 })
      .expect(200);
    const platformTimeoutMs = 72 * 3_600_000;
    const own = await insertBulk(db(), payer, [{ msisdn: '22997000002', amount: 1000n }]);
    const begun = await beginBulk(db(), own.bulkId, platformTimeoutMs);
    const waited = await db()('bulk_transfers')
      .where('bulk_id', own.bulkId)
      .first<{ hours: string }>(db().raw('extract(epoch from approval_deadline - updated_at) / 3600 as hours'));
    expect(begun?.state).toBe('AWAITING_APPROVAL');
    expect(Math.round(Number(waited?.hours))).toBe(5);

    await request(server)
      .patch(`/api/admin/organizations/${payer.organizationId}`)
      .set(authHeader(staff.token))
      .send({ approval_timeout_hours: null })
      .expect(200);
    const platform = await insertBulk(db(), payer, [{ msisdn: '22997000003', amount: 1000n }]);
    await beginBulk(db(), platform.bulkId, platformTimeoutMs);
    const waitedPlatform = await db()('bulk_transfers')
      .where('bulk_id', platform.bulkId)
      .first<{ hours: string }>(db().raw('extract(epoch from approval_deadline - updated_at) / 3600 as hours'));
    expect(Math.round(Number(waitedPlatform?.hours))).toBe(72);
  });
});

describe('accounts and deposits', () => {
  it('an account is opened empty for an organization, and audited', async () => {
    const staff = await signIn(server, { isStaff: true });
    const organization = await createOrganization();
    const accountId = `ACC-${newCode()}`;
    const body = {
      account_id: accountId,
      organization_id: organization.id,
      party_id_type: 'MSISDN',
      party_identifier: '22997000010',
      currency: 'XOF',
    };
    const created = await request(server)
      .post('/api/admin/accounts')
      .set(authHeader(staff.token))
      .send(body)
      .expect(201);
    expect(created.body).toEqual({ ...body, balance: 0, reserved: 0, available: 0, created_at: expect.any(String) });
    const listed = await request(server)
      .get(`/api/accounts?organization_id=${organization.id}`)
      .set(authHeader(staff.token))
      .expect(200);
    expect(listed.body.results.map((account: { account_id: string }) => account.account_id)).toEqual([accountId]);

    const taken = await request(server).post('/api/admin/accounts').set(authHeader(staff.token)).send(body).expect(409);
    expect(taken.body.error.code).toBe('account_id_taken');
    const unknown = await request(server)
      .post('/api/admin/accounts')
      .set(authHeader(staff.token))
      .send({ ...body, account_id: `ACC-${newCode()}`, organization_id: 2_000_000_000 })
      .expect(400);
    expect(Object.keys(unknown.body.error.details)).toEqual(['organization_id']);
    expect(
      (await auditOf('account', accountId)).map((entry) => [entry.kind, entry.organization_id, entry.after]),
    ).toEqual([['account.created', organization.id, body]]);
  });

  it('a deposit sent twice with the same key is one journal entry and one audit entry', async () => {
    const staff = await signIn(server, { isStaff: true });
    const organization = await createOrganization();
    const account = await createAccount({ organizationId: organization.id, balance: 1000n });
    const key = randomUUID();
    const deposit = () =>
      request(server)
        .post(`/api/accounts/${account.account_id}/deposits`)
        .set(authHeader(staff.token))
        .set('Idempotency-Key', key)
        .set('X-Request-Id', 'req-deposit-1')
        .send({ amount: 250000, reference: 'Virement Trésor 2026-11' });

    const first = await deposit().expect(201);
    const again = await deposit().expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(first.body).toMatchObject({ amount: 250000, balance_after: 251000 });

    expect(
      await db()('account_journal')
        .where({ account_id: account.id, idempotency_key: key })
        .count<[{ count: string }]>('* as count'),
    ).toEqual([{ count: '1' }]);
    await expectJournalAgrees(db(), account.id);
    const entries = await auditOf('account', account.account_id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: 'account.deposit',
      organization_id: organization.id,
      actor_user_id: staff.user.id,
      before: { balance: 1000 },
      after: {
        balance: 251000,
        amount: 250000,
        reference: 'Virement Trésor 2026-11',
        idempotency_key: key,
        journal_entry_id: first.body.id,
      },
      request_id: 'req-deposit-1',
    });
  });

  it('refuses a deposit that would take the balance above 2^53 - 1, recording nothing', async () => {
    const staff = await signIn(server, { isStaff: true });
    const account = await createAccount({
      organizationId: (await createOrganization()).id,
      balance: BigInt(Number.MAX_SAFE_INTEGER) - 10n,
    });
    const deposit = (amount: number) =>
      request(server)
        .post(`/api/accounts/${account.account_id}/deposits`)
        .set(authHeader(staff.token))
        .set('Idempotency-Key', randomUUID())
        .send({ amount, reference: 'Trop' });
    const refused = await deposit(11).expect(422);
    expect(refused.body.error.code).toBe('balance_limit_exceeded');
    const exact = await deposit(10).expect(201);
    expect(exact.body.balance_after).toBe(Number.MAX_SAFE_INTEGER);
    await expectJournalAgrees(db(), account.id);
    expect(await auditOf('account', account.account_id)).toHaveLength(1);
  });
});

describe('the audit log', () => {
  it('is filtered by actor, organization, kind, subject and day, newest first, and paged', async () => {
    const staff = await signIn(server, { isStaff: true });
    const other = await signIn(server, { isStaff: true });
    const organization = await createOrganization();
    const patch = (token: string, body: object) =>
      request(server)
        .patch(`/api/admin/organizations/${organization.id}`)
        .set(authHeader(token))
        .send(body)
        .expect(200);
    await patch(staff.token, { name: 'Premier nom' });
    await patch(other.token, { requires_approval: true });
    await patch(staff.token, { name: 'Second nom' });
    const audit = (query: string) =>
      request(server).get(`/api/admin/audit?${query}`).set(authHeader(staff.token)).expect(200);

    const mine = conforms(await audit(`actor=${staff.user.id}`), 'get', '/api/admin/audit');
    expect(mine.body.results.map((entry: { after: object }) => entry.after)).toEqual([
      { name: 'Second nom' },
      { name: 'Premier nom' },
    ]);
    expect(mine.body.results[0]).toEqual({
      id: expect.any(Number),
      occurred_at: expect.any(String),
      actor_user_id: staff.user.id,
      actor_email: staff.email,
      organization_id: organization.id,
      kind: 'organization.updated',
      subject_type: 'organization',
      subject_id: String(organization.id),
      before: { name: 'Premier nom' },
      after: { name: 'Second nom' },
      request_id: expect.any(String),
    });
    const ofOrganization = await audit(`organization_id=${organization.id}&kind=organization.updated&limit=2`);
    expect(ofOrganization.body).toMatchObject({ total: 3, count: 2, limit: 2, offset: 0 });
    const subject = await audit(`subject_type=organization&subject_id=${organization.id}&offset=2`);
    expect(subject.body.results.map((entry: { after: object }) => entry.after)).toEqual([{ name: 'Premier nom' }]);

    const today = new Date().toISOString().slice(0, 10);
    expect((await audit(`organization_id=${organization.id}&from=${today}&to=${today}`)).body.total).toBe(3);
    expect((await audit(`organization_id=${organization.id}&to=2020-01-01`)).body.total).toBe(0);

    for (const [query, field] of [
      ['kind=user.deleted', 'kind'],
      ['from=2026-02-30', 'from'],
      ['from=2026-02-02&to=2026-02-01', 'to'],
      ['actor=abc', 'actor'],
    ]) {
      const refused = await request(server).get(`/api/admin/audit?${query}`).set(authHeader(staff.token)).expect(400);
      expect(refused.body.error).toMatchObject({ code: 'invalid_filter', details: { field } });
    }
  });

  it('cannot be updated, deleted or truncated, whoever asks', async () => {
    const staff = await signIn(server, { isStaff: true });
    await request(server)
      .post('/api/admin/organizations')
      .set(authHeader(staff.token))
      .send({ code: newCode(), name: 'Immuable' })
      .expect(201);
    const rows = db()('audit_log').where('actor_user_id', staff.user.id);
    await expect(rows.clone().update({ kind: 'user.updated' })).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(rows.clone().del()).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db().raw('truncate audit_log')).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await rows.clone().count<[{ count: string }]>('* as count')).toEqual([{ count: '1' }]);
  });
});
