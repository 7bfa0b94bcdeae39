/**
 * Accounts and deposits (staff): an organization's accounts (balance, reserved, available), a new account for it
 * (balance 0), and a deposit on one of them. A deposit carries an Idempotency-Key kept until it is answered, so
 * sending again after a lost answer cannot count the money twice.
 */
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import { dataOf } from '../../api/errors';
import type { Profile } from '../../auth';
import { ErrorNotice, Loading, Notice } from '../../components/Display';
import { idempotencyKey } from '../../components/FilePicker';
import { formatAmount } from '../../format';
import { useT } from '../../i18n';
import { useAsync, type Async } from '../../useAsync';
import { AccountsTable } from '../Home';
import { useOrganizations, type Organization } from './organizationChoices';

type Account = Schemas['AccountSummary'];
type PartyIdType = Schemas['AccountSummary']['party_id_type'];
const PARTY_ID_TYPES: readonly PartyIdType[] = [
  'MSISDN',
  'PERSONAL_ID',
  'BUSINESS',
  'DEVICE',
  'ACCOUNT_ID',
  'IBAN',
  'ALIAS',
  'EMAIL',
];

export function AccountsSection({ profile }: { profile: Profile }) {
  const { m } = useT();
  const organizations = useOrganizations();
  const [organization, setOrganization] = useState(profile.organization ? String(profile.organization.id) : '');
  const chosen = organization || (organizations.data?.[0] ? String(organizations.data[0].id) : '');
  const accounts = useAsync(
    async () =>
      chosen
        ? dataOf(await api.GET('/api/accounts', { params: { query: { organization_id: Number(chosen), limit: 500 } } }))
            .results
        : [],
    [chosen],
  );

  return (
    <>
      <section class="card" aria-labelledby="accounts-admin-title">
        <h2 id="accounts-admin-title">{m.admin.accounts}</h2>
        <ErrorNotice error={organizations.error} />
        <form class="filters" onSubmit={(event) => event.preventDefault()}>
          <div>
            <label for="accounts-organization">{m.admin.accountsOf}</label>
            <select
              id="accounts-organization"
              value={chosen}
              onChange={(event) => setOrganization(event.currentTarget.value)}
            >
              {(organizations.data ?? []).map((candidate) => (
                <option key={candidate.id} value={String(candidate.id)}>
                  {candidate.name}
                </option>
              ))}
            </select>
          </div>
        </form>
        {accounts.loading && !accounts.data && <Loading />}
        <ErrorNotice error={accounts.error} />
        {accounts.data && <AccountsTable accounts={accounts.data} />}
        {accounts.data && accounts.data.length > 0 && <DepositForm accounts={accounts} />}
      </section>
      {organizations.data && organizations.data.length > 0 && (
        <CreateAccount
          organizations={organizations.data}
          organization={chosen}
          onCreated={(created) => {
            setOrganization(String(created));
            void accounts.reload();
          }}
        />
      )}
    </>
  );
}

function DepositForm({ accounts }: { accounts: Async<Account[]> }) {
  const { m, lang } = useT();
  const list = accounts.data ?? [];
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
    const chosen = list.find((candidate) => candidate.account_id === (account || list[0]?.account_id));
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
    <>
      <h3>{m.admin.deposit}</h3>
      <form onSubmit={(event) => void submit(event)} class="inline-form">
        <div>
          <label for="deposit-account">{m.admin.depositAccount}</label>
          <select id="deposit-account" value={account} onChange={(event) => setAccount(event.currentTarget.value)}>
            {list.map((candidate) => (
              <option key={candidate.account_id} value={candidate.account_id}>
                {candidate.account_id} ({candidate.currency})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="deposit-amount">{m.admin.amount}</label>
          {/* Digits only: Number() of them is exact below 2^53, the API's own limit for an amount. */}
          <input
            id="deposit-amount"
            inputMode="numeric"
            pattern="[0-9]{1,15}"
            required
            value={amount}
            onInput={(event) => setAmount(event.currentTarget.value)}
          />
        </div>
        <div>
          <label for="deposit-reference">{m.admin.reference}</label>
          <input
            id="deposit-reference"
            required
            maxLength={100}
            value={reference}
            onInput={(event) => setReference(event.currentTarget.value)}
          />
        </div>
        <button type="submit">{m.admin.deposit}</button>
      </form>
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorNotice error={error} />
    </>
  );
}

function CreateAccount({
  organizations,
  organization,
  onCreated,
}: {
  organizations: Organization[];
  organization: string;
  onCreated: (organizationId: number) => void;
}) {
  const { m } = useT();
  const [owner, setOwner] = useState(organization);
  const [accountId, setAccountId] = useState('');
  const [partyIdType, setPartyIdType] = useState<PartyIdType>('ACCOUNT_ID');
  const [partyIdentifier, setPartyIdentifier] = useState('');
  const [currency, setCurrency] = useState('XOF');
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setDone(null);
    const organizationId = Number(owner || organization);
    try {
      const created = dataOf(
        await api.POST('/api/admin/accounts', {
          body: {
            account_id: accountId.trim(),
            organization_id: organizationId,
            party_id_type: partyIdType,
            party_identifier: partyIdentifier.trim(),
            currency: currency.trim().toUpperCase(),
          },
        }),
      );
      setDone(m.admin.accountCreated(created.account_id));
      setAccountId('');
      setPartyIdentifier('');
      onCreated(created.organization_id);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section class="card" aria-labelledby="create-account-title">
      <h2 id="create-account-title">{m.admin.createAccount}</h2>
      <form onSubmit={(event) => void submit(event)} class="grid-form">
        <div>
          <label for="account-organization">{m.admin.organizationId}</label>
          <select
            id="account-organization"
            value={owner || organization}
            onChange={(event) => setOwner(event.currentTarget.value)}
          >
            {organizations.map((candidate) => (
              <option key={candidate.id} value={String(candidate.id)}>
                {candidate.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="account-id">{m.admin.accountId}</label>
          <input
            id="account-id"
            required
            pattern="[A-Za-z0-9._\-]{1,64}"
            value={accountId}
            onInput={(event) => setAccountId(event.currentTarget.value)}
          />
        </div>
        <div>
          <label for="account-party-type">{m.admin.partyIdType}</label>
          <select
            id="account-party-type"
            value={partyIdType}
            onChange={(event) => setPartyIdType(event.currentTarget.value as PartyIdType)}
          >
            {PARTY_ID_TYPES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="account-party">{m.admin.partyIdentifier}</label>
          <input
            id="account-party"
            required
            maxLength={128}
            value={partyIdentifier}
            onInput={(event) => setPartyIdentifier(event.currentTarget.value)}
          />
        </div>
        <div>
          <label for="account-currency">{m.admin.currency}</label>
          <input
            id="account-currency"
            required
            pattern="[A-Za-z]{3}"
            maxLength={3}
            value={currency}
            onInput={(event) => setCurrency(event.currentTarget.value)}
          />
        </div>
        <div class="actions">
          <button type="submit">{m.admin.createAccount}</button>
        </div>
      </form>
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorNotice error={error} />
    </section>
  );
}
