/**
 * Demo data for a trial install (`npm start`): the CNSS with its payer account and three users, and a
 * second organization with its own user and account, to show that each sees only its own payouts.
 * Idempotent: run it at every start. Never in production.
 */
import type { Knex } from 'knex';
import { applyAccountChange } from '../src/accounts/store/journalStore';
import { generateTemporaryPassword, hashPassword } from '../src/auth/passwords';
import { config } from '../src/config';
import type { UserRole } from '../src/models';

export interface DemoSeedOptions {
  /** When given, every demo user's password is set to it, on every run. */
  demoPassword?: string;
}

export interface DemoLogin {
  email: string;
  /** The password to use, or null when it was set by an earlier run and left unchanged. */
  password: string | null;
}

interface DemoOrganization {
  code: string;
  name: string;
  account: { accountId: string; msisdn: string; balance: string };
  users: Array<{ email: string; firstName: string; lastName: string; role: UserRole; isStaff: boolean }>;
}

const DEMO_ORGANIZATIONS: DemoOrganization[] = [
  {
    code: 'CNSS',
    name: 'CNSS Bénin',
    account: { accountId: 'ACC-CNSS-001', msisdn: '22997000001', balance: '10000000000' },
    users: [
      {
        email: 'gestionnaire@cnss.bj',
        firstName: 'Gestionnaire',
        lastName: 'CNSS',
        role: 'GESTIONNAIRE',
        isStaff: false,
      },
      { email: 'superviseur@cnss.bj', firstName: 'Superviseur', lastName: 'CNSS', role: 'SUPERVISEUR', isStaff: false },
      { email: 'admin@cnss.bj', firstName: 'Administrateur', lastName: 'CNSS', role: 'GESTIONNAIRE', isStaff: true },
    ],
  },
  {
    code: 'CRR',
    name: 'Caisse de Retraite de Référence',
    account: { accountId: 'ACC-CRR-001', msisdn: '22997000002', balance: '1000000000' },
    users: [
      {
        email: 'gestionnaire@crr.example',
        firstName: 'Gestionnaire',
        lastName: 'CRR',
        role: 'GESTIONNAIRE',
        isStaff: false,
      },
    ],
  },
];

export async function seedDemoData(knex: Knex, options: DemoSeedOptions = {}): Promise<{ logins: DemoLogin[] }> {
  if (config().isProduction) throw new Error('Refusing to load demo data in production.');
  const logins: DemoLogin[] = [];
  await knex.transaction(async (trx) => {
    for (const organization of DEMO_ORGANIZATIONS) {
      const organizationId = await ensureOrganization(trx, organization);
      await ensureAccount(trx, organizationId, organization.account);
      for (const user of organization.users) {
        logins.push(await ensureUser(trx, organizationId, user, options.demoPassword));
      }
    }
  });
  return { logins };
}

async function ensureOrganization(trx: Knex.Transaction, organization: DemoOrganization): Promise<number> {
  await trx('organizations').insert({ code: organization.code, name: organization.name }).onConflict('code').ignore();
  // Inserted just above or already there: the row exists.
  const row = await trx('organizations').where({ code: organization.code }).first<{ id: number }>('id');
  return row.id;
}

/**
 * Created once with its opening balance, deposited through the journal like any money; later runs leave the
 * balance alone, since payouts have moved it.
 */
async function ensureAccount(
  trx: Knex.Transaction,
  organizationId: number,
  account: DemoOrganization['account'],
): Promise<void> {
  const [created] = await trx('accounts')
    .insert({
      account_id: account.accountId,
      organization_id: organizationId,
      party_id_type: 'MSISDN',
      party_identifier: account.msisdn,
      currency: 'XOF',
    })
    .onConflict('account_id')
    .ignore()
    .returning<Array<{ id: number }>>('id');
  if (!created) return;
  await applyAccountChange(trx, {
    accountId: created.id,
    kind: 'fund',
    amount: BigInt(account.balance),
    fundingReference: 'Demo opening balance',
  });
}

async function ensureUser(
  trx: Knex.Transaction,
  organizationId: number,
  user: DemoOrganization['users'][number],
  demoPassword: string | undefined,
): Promise<DemoLogin> {
  const existing = await trx('users')
    .whereRaw('lower(email) = ?', [user.email])
    .first<{ id: number } | undefined>('id');
  if (existing) {
    if (demoPassword === undefined) return { email: user.email, password: null };
    await trx('users')
      .where({ id: existing.id })
      .update({
        password_hash: await hashPassword(demoPassword),
        must_change_password: false,
        updated_at: trx.fn.now(),
      });
    return { email: user.email, password: demoPassword };
  }

  const password = demoPassword ?? generateTemporaryPassword();
  await trx('users').insert({
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    role: user.role,
    is_staff: user.isStaff,
    organization_id: organizationId,
    password_hash: await hashPassword(password),
    must_change_password: false,
  });
  return { email: user.email, password };
}
