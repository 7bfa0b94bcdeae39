/**
 * Administration (staff): create a user (a temporary password, to change at first login), the accounts of every
 * organization with a deposit form. Organizations and the audit log come with their API routes.
 */
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { dataOf } from '../api/errors';
import { isStaff, type Profile } from '../auth';
import { ErrorNotice, Loading, Notice } from '../components/Display';
import { idempotencyKey } from '../components/FilePicker';
import { formatAmount } from '../format';
import { useT } from '../i18n';
import { useAsync } from '../useAsync';
import { AccountsTable } from './Home';

export function AdminPage({ profile }: { profile: Profile }) {
  const { m } = useT();
  if (!isStaff(profile)) return <Notice>{m.errors.permission_denied}</Notice>;
  return (
    <>
      <h1>{m.admin.title}</h1>
      <CreateUser profile={profile} />
      <AccountsAndDeposits />
      <section class="card" aria-labelledby="audit-title">
        <h2 id="audit-title">{m.admin.audit}</h2>
        <p class="muted">{m.admin.notYet}</p>
      </section>
    </>
  );
}

const ROLES = ['GESTIONNAIRE', 'SUPERVISEUR'] as const;

function CreateUser({ profile }: { profile: Profile }) {
  const { m } = useT();
  const [email, setEmail] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('GESTIONNAIRE');
  const [organization, setOrganization] = useState(profile.organization ? String(profile.organization.id) : '');
  const [phone, setPhone] = useState('');
  const [staff, setStaff] = useState(false);
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setCreated(null);
    try {
      const body: { email: string; first_name: string; last_name: string; role: (typeof ROLES)[number]; is_staff: boolean; organization_id?: number; phone_number?: string } = {
        email: email.trim(),
        first_name: firstName.trim(),
        last_name: lastName.trim(),
        role,
        is_staff: staff,
      };
      if (organization.trim()) body.organization_id = Number(organization);
      if (phone.trim()) body.phone_number = phone.trim();
      const answer = dataOf(await api.POST('/api/admin/users/create', { body }));
      setCreated({ email: answer.user.email, password: answer.temporary_password });
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section class="card" aria-labelledby="create-user-title">
      <h2 id="create-user-title">{m.admin.createUser}</h2>
      <form onSubmit={submit} class="grid-form">
        <div>
          <label for="user-email">{m.admin.email}</label>
          <input id="user-email" type="email" required value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
        </div>
        <div>
          <label for="user-first">{m.admin.firstName}</label>
          <input id="user-first" required value={firstName} onInput={(event) => setFirstName(event.currentTarget.value)} />
        </div>
        <div>
          <label for="user-last">{m.admin.lastName}</label>
          <input id="user-last" required value={lastName} onInput={(event) => setLastName(event.currentTarget.value)} />
        </div>
        <div>
          <label for="user-role">{m.admin.role}</label>
          <select id="user-role" value={role} onChange={(event) => setRole(event.currentTarget.value as (typeof ROLES)[number])}>
            {ROLES.map((value) => (
              <option key={value} value={value}>
                {m.roles[value]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="user-organization">{m.admin.organizationId}</label>
          <input id="user-organization" inputMode="numeric" pattern="[0-9]*" value={organization} onInput={(event) => setOrganization(event.currentTarget.value)} />
        </div>
        <div>
          <label for="user-phone">{m.admin.phone}</label>
          <input id="user-phone" type="tel" value={phone} onInput={(event) => setPhone(event.currentTarget.value)} />
        </div>
        <div class="checkbox">
          <input id="user-staff" type="checkbox" checked={staff} onChange={(event) => setStaff(event.currentTarget.checked)} />
          <label for="user-staff">{m.admin.isStaff}</label>
        </div>
        <div class="actions">
          <button type="submit">{m.admin.createUser}</button>
        </div>
      </form>
      {created && (
        <Notice tone="success">
          {m.admin.userCreated(created.email)} <code>{created.password}</code>
        </Notice>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

function AccountsAndDeposits() {
  const { m, lang } = useT();
  const accounts = useAsync(async () => dataOf(await api.GET('/api/accounts', { params: { query: { limit: 500 } } })).results, []);
  const [account, setAccount] = useState('');
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const [key, setKey] = useState(idempotencyKey());
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setDone(null);
    const chosen = accounts.data?.find((candidate) => candidate.account_id === (account || accounts.data?.[0]?.account_id));
    if (!chosen) return;
    try {
      const entry = dataOf(
        await api.POST('/api/accounts/{account_id}/deposits', {
          params: { path: { account_id: chosen.account_id }, header: { 'Idempotency-Key': key } },
          body: { amount: Number(amount), reference: reference.trim() },
        }),
      );
      setDone(m.admin.deposited(formatAmount(entry.amount, chosen.currency, lang), chosen.account_id));
      // The next deposit is another one: a new key. A resend of this one (a lost answer) keeps the key.
      setKey(idempotencyKey());
      setAmount('');
      setReference('');
      await accounts.reload();
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section class="card" aria-labelledby="accounts-admin-title">
      <h2 id="accounts-admin-title">{m.admin.accounts}</h2>
      {accounts.loading && !accounts.data && <Loading />}
      <ErrorNotice error={accounts.error} />
      {accounts.data && <AccountsTable accounts={accounts.data} />}
      {accounts.data && accounts.data.length > 0 && (
        <form onSubmit={submit} class="inline-form">
          <div>
            <label for="deposit-account">{m.admin.depositAccount}</label>
            <select id="deposit-account" value={account} onChange={(event) => setAccount(event.currentTarget.value)}>
              {accounts.data.map((candidate) => (
                <option key={candidate.account_id} value={candidate.account_id}>
                  {candidate.account_id} ({candidate.currency})
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="deposit-amount">{m.admin.amount}</label>
            <input id="deposit-amount" inputMode="numeric" pattern="[0-9]+" required value={amount} onInput={(event) => setAmount(event.currentTarget.value)} />
          </div>
          <div>
            <label for="deposit-reference">{m.admin.reference}</label>
            <input id="deposit-reference" required maxLength={100} value={reference} onInput={(event) => setReference(event.currentTarget.value)} />
          </div>
          <button type="submit">{m.admin.deposit}</button>
        </form>
      )}
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorNotice error={error} />
    </section>
  );
}
