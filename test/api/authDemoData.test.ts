import request from 'supertest';
import { seedDemoData } from '../../scripts/demoData';
import { closeDb, db } from '../support/database';
import { createTestApp, strongPassword } from '../support/fixtures';

const DEMO_EMAILS = ['gestionnaire@cnss.bj', 'superviseur@cnss.bj', 'admin@cnss.bj', 'gestionnaire@crr.example'];
const { app, server } = createTestApp();
// Its own client address, so the deliberate failed login below counts against no other test's limit.
app.proxy = true;

function loginStatus(email: string, password: string): Promise<number> {
  return request(server)
    .post('/api/auth/login')
    .set('X-Forwarded-For', '203.0.113.77')
    .send({ email, password })
    .then((response) => response.status);
}

async function demoRows() {
  const organizations = await db()('organizations').whereIn('code', ['CNSS', 'CRR']).orderBy('code');
  const users = await db()('users').whereIn('email', DEMO_EMAILS).orderBy('email');
  const accounts = await db()('accounts').whereIn('account_id', ['ACC-CNSS-001', 'ACC-CRR-001']).orderBy('account_id');
  return { organizations, users, accounts };
}

afterAll(closeDb);

describe('seedDemoData', () => {
  it('creates the demo organizations, accounts and users once, with generated passwords returned only at creation', async () => {
    // Start from no demo users, whatever ran before in this database.
    await db()('users').whereIn('email', DEMO_EMAILS).delete();

    const first = await seedDemoData(db(), {});
    expect(first.logins.map((login) => login.email)).toEqual(DEMO_EMAILS);
    const passwords = first.logins.map((login) => login.password);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(new Set(passwords).size).toBe(DEMO_EMAILS.length);

    const second = await seedDemoData(db(), {});
    expect(second.logins).toEqual(DEMO_EMAILS.map((email) => ({ email, password: null })));
    for (const [index, email] of DEMO_EMAILS.entries()) {
      expect(await loginStatus(email, passwords[index] as string)).toBe(200);
    }

    const { organizations, users, accounts } = await demoRows();
    expect(organizations.map((row) => [row.code, row.name])).toEqual([
      ['CNSS', 'CNSS Bénin'],
      ['CRR', 'Caisse de Retraite de Référence'],
    ]);
    const [cnss, crr] = organizations;
    expect(users).toHaveLength(4);
    const byEmail = Object.fromEntries(users.map((row) => [row.email, row]));
    expect(byEmail['gestionnaire@cnss.bj']).toMatchObject({
      role: 'GESTIONNAIRE',
      is_staff: false,
      organization_id: cnss.id,
    });
    expect(byEmail['superviseur@cnss.bj']).toMatchObject({
      role: 'SUPERVISEUR',
      is_staff: false,
      organization_id: cnss.id,
    });
    expect(byEmail['admin@cnss.bj']).toMatchObject({ role: 'GESTIONNAIRE', is_staff: true, organization_id: cnss.id });
    expect(byEmail['gestionnaire@crr.example']).toMatchObject({ role: 'GESTIONNAIRE', organization_id: crr.id });
    for (const user of users) expect(user.must_change_password).toBe(false);

    expect(accounts).toHaveLength(2);
    expect(accounts[0]).toMatchObject({
      account_id: 'ACC-CNSS-001',
      organization_id: cnss.id,
      party_id_type: 'MSISDN',
      party_identifier: '22997000001',
      currency: 'XOF',
    });
    expect(accounts[1]).toMatchObject({
      account_id: 'ACC-CRR-001',
      organization_id: crr.id,
      party_identifier: '22997000002',
      currency: 'XOF',
    });
  });

  it('sets DEMO_PASSWORD on every run, without duplicating anything or touching balances', async () => {
    await seedDemoData(db(), {});
    await db()('accounts').where({ account_id: 'ACC-CNSS-001' }).update({ balance: '9999999000' });
    const before = await demoRows();

    const demoPassword = strongPassword();
    const first = await seedDemoData(db(), { demoPassword });
    expect(first.logins).toEqual(DEMO_EMAILS.map((email) => ({ email, password: demoPassword })));
    for (const email of DEMO_EMAILS) expect(await loginStatus(email, demoPassword)).toBe(200);

    const changedPassword = strongPassword();
    await seedDemoData(db(), { demoPassword: changedPassword });
    expect(await loginStatus('admin@cnss.bj', changedPassword)).toBe(200);
    expect(await loginStatus('admin@cnss.bj', demoPassword)).toBe(401);

    const after = await demoRows();
    expect(after.organizations.map((row) => row.id)).toEqual(before.organizations.map((row) => row.id));
    expect(after.users.map((row) => row.id)).toEqual(before.users.map((row) => row.id));
    expect(after.accounts.map((row) => [row.id, row.balance])).toEqual(
      before.accounts.map((row) => [row.id, row.balance]),
    );
    expect(after.accounts[0].balance).toBe('9999999000');
  });

  it('refuses to run in production', async () => {
    const saved = { ...process.env };
    try {
      // What production requires besides, so that the demo data's own refusal is what is tested.
      Object.assign(process.env, { NODE_ENV: 'production', METRICS_TOKEN: 'm'.repeat(32) });
      delete process.env.DEMO_PASSWORD;
      let productionSeed: typeof seedDemoData | undefined;
      await jest.isolateModulesAsync(async () => {
        productionSeed = (await import('../../scripts/demoData')).seedDemoData;
      });
      await expect(productionSeed!(db(), { demoPassword: strongPassword() })).rejects.toThrow(
        'Refusing to load demo data in production.',
      );
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});
