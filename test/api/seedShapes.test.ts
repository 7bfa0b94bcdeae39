/**
 * The seed's API is a contract a frontend already uses: each example of the seed's README (login, profile,
 * upload, history, details, status, admin create) is held against our real answer. Every key of the example is
 * in our answer with the same JSON type (integer, string, object, ...), recursively; we may add keys, never drop
 * or retype one. A `null` in an example stands for a field that is null or of the type given beside it.
 */
import request from 'supertest';
import { closeDb } from '../support/database';
import { authHeader, createUser, loginAs, uniqueEmail } from '../support/fixtures';
import { createBulkTestApp, createFund, csvOfLines, upload } from '../support/bulkFixtures';

afterAll(closeDb);

type JsonType = 'integer' | 'number' | 'string' | 'boolean' | 'object' | 'array' | 'null';

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

/** Where our answer differs from the example: a missing key, or another type. */
function differences(example: unknown, answer: unknown, path = '$'): string[] {
  const expected = jsonTypeOf(example);
  const actual = jsonTypeOf(answer);
  if (expected === 'number' && actual === 'integer') return []; // a percentage may be whole
  if (expected !== actual) return [`${path}: ${expected} in the seed, ${actual} here`];
  if (expected === 'array') {
    const [first] = example as unknown[];
    return first === undefined
      ? []
      : (answer as unknown[]).flatMap((item, index) => differences(first, item, `${path}[${index}]`));
  }
  if (expected !== 'object') return [];
  return Object.entries(example as Record<string, unknown>).flatMap(([key, value]) => {
    if (!(key in (answer as Record<string, unknown>))) return [`${path}.${key}: missing`];
    const ours = (answer as Record<string, unknown>)[key];
    if (value === null || ours === null) return []; // nullable in the seed, or not yet set here
    return differences(value, ours, `${path}.${key}`);
  });
}

const USER = { id: 1, email: 'gestionnaire@cnss.bj', first_name: 'Awa', last_name: 'Traoré', role: 'GESTIONNAIRE' };

const SEED = {
  login: { access: 'eyJhbGciOi...', refresh: 'eyJhbGciOi...', user: USER },
  profile: { ...USER, phone_number: null, organization: { id: 1, code: 'CNSS', name: 'CNSS Bénin' } },
  upload: { bulkTransferId: '7f9c2d1e-0000-4000-8000-000000000001', state: 'PENDING' },
  history: {
    total: 1,
    count: 1,
    limit: 50,
    offset: 0,
    results: [
      {
        id: 1,
        bulk_id: '7f9c2d1e-0000-4000-8000-000000000001',
        payer_account: 'ACC-CNSS-001',
        total_amount: 250000,
        currency: 'XOF',
        state: 'COMPLETED',
        created_at: '2026-11-25T09:00:00Z',
        transfers_count: 2,
        completed_count: 2,
        failed_count: 0,
      },
    ],
  },
  details: {
    bulk_id: '7f9c2d1e-0000-4000-8000-000000000001',
    payer_account: { account_id: 'ACC-CNSS-001', party_id_type: 'MSISDN', party_identifier: '22997000001' },
    organization: { code: 'CNSS', name: 'CNSS Bénin' },
    state: 'COMPLETED',
    total_amount: 250000,
    currency: 'XOF',
    created_at: '2026-11-25T09:00:00Z',
    statistics: { total: 2, completed: 2, failed: 0, pending: 0, processing: 0, success_rate: 100.0 },
    individual_transfers: [
      {
        id: 1,
        transfer_id: '0c1d2e3f-0000-4000-8000-000000000001',
        payee_party_id_type: 'MSISDN',
        payee_party_identifier: '22990000001',
        amount: 125000,
        currency: 'XOF',
        status: 'COMPLETED',
        completed_at: null,
        failure_code: null,
        failure_message: null,
      },
    ],
  },
  status: {
    bulkTransferId: '7f9c2d1e-0000-4000-8000-000000000001',
    state: 'PROCESSING',
    total: 2,
    completed: 1,
    failed: 0,
    pending: 1,
    progress_percent: 50.0,
    individualTransfers: [{ transfer_id: '0c1d2e3f-0000-4000-8000-000000000001', status: 'COMPLETED' }],
  },
  adminCreate: {
    user: { ...USER, phone_number: null, organization: { id: 1, code: 'CNSS', name: 'CNSS Bénin' } },
    temporary_password: 'x7Kp...',
    email_sent: true,
    message: 'Utilisateur créé avec succès. Un email a été envoyé.',
  },
};

describe("the seed's examples hold against our answers", () => {
  const { server } = createBulkTestApp();

  it('login, profile and admin create', async () => {
    const fund = await createFund(server);
    const user = await createUser({ organizationId: fund.organization.id, role: 'GESTIONNAIRE' });
    const login = await request(server)
      .post('/api/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(200);
    expect(differences(SEED.login, login.body)).toEqual([]);

    const profile = await request(server).get('/api/auth/profile').set(authHeader(login.body.access)).expect(200);
    expect(differences(SEED.profile, profile.body)).toEqual([]);

    const admin = await createUser({ organizationId: fund.organization.id, isStaff: true });
    const adminToken = await loginAs(server, admin.email, admin.password);
    const created = await request(server)
      .post('/api/admin/users/create')
      .set(authHeader(adminToken))
      .send({ email: uniqueEmail('seed'), first_name: 'Koffi', last_name: 'Mensah', role: 'SUPERVISEUR' })
      .expect(201);
    expect(differences(SEED.adminCreate, created.body)).toEqual([]);
    expect(created.body.message).toBe(SEED.adminCreate.message);
  });

  it('upload, history, details and status', async () => {
    const fund = await createFund(server);
    const uploaded = await upload(server, fund.gestionnaire.token, csvOfLines(2)).expect(202);
    expect(differences(SEED.upload, uploaded.body)).toEqual([]);
    expect(uploaded.body.total_amount).toBe(2001);
    const bulkId = uploaded.body.bulkTransferId as string;

    const history = await request(server)
      .get('/api/bulk-transfers/history')
      .set(authHeader(fund.superviseur.token))
      .expect(200);
    expect(differences(SEED.history, history.body)).toEqual([]);

    const details = await request(server)
      .get(`/api/bulk-transfers/${bulkId}/details`)
      .set(authHeader(fund.superviseur.token))
      .expect(200);
    expect(differences(SEED.details, details.body)).toEqual([]);
    expect(details.body.payer_account).toEqual({
      account_id: fund.account.account_id,
      party_id_type: fund.account.party_id_type,
      party_identifier: fund.account.party_identifier,
    });
    expect(details.body.individual_transfers.map((line: { amount: number }) => line.amount)).toEqual([1000, 1001]);

    const status = await request(server)
      .get(`/api/bulk-transfers/${bulkId}/status`)
      .set(authHeader(fund.superviseur.token))
      .expect(200);
    expect(differences(SEED.status, status.body)).toEqual([]);
  });

  it('tells a retyped field from a kept one (the comparison can fail)', () => {
    expect(differences({ total_amount: 1 }, { total_amount: '1' })).toEqual([
      '$.total_amount: integer in the seed, string here',
    ]);
    expect(differences({ payer_account: { account_id: 'A' } }, { payer_account: 'A' })).toEqual([
      '$.payer_account: object in the seed, string here',
    ]);
    expect(differences({ results: [{ id: 1 }] }, { results: [{}] })).toEqual(['$.results[0].id: missing']);
  });
});
