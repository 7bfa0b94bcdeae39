/**
 * Home: the organization's money (balance, reserved, available), what needs this user (bulks awaiting their
 * approval, ended bulks with failed lines), and the latest bulks.
 */
import { api, type Schemas } from '../api/client';
import { dataOf } from '../api/errors';
import { mayApprove, mayPay, type Profile } from '../auth';
import { BulkTable, type BulkEntry } from '../components/BulkTable';
import { Amount, ErrorNotice, Loading } from '../components/Display';
import { Link } from '../components/Link';
import { useT } from '../i18n';
import { paths } from '../router';
import { useAsync } from '../useAsync';

export function HomePage({ profile }: { profile: Profile }) {
  const { m } = useT();
  return (
    <>
      <h1>{m.home.title}</h1>
      <Accounts />
      <ToDo profile={profile} />
      <Latest />
    </>
  );
}

function Accounts() {
  const { m } = useT();
  const accounts = useAsync(
    async () => dataOf(await api.GET('/api/accounts', { params: { query: { limit: 100 } } })),
    [],
  );
  return (
    <section aria-labelledby="accounts-title">
      <h2 id="accounts-title">{m.home.accounts}</h2>
      {accounts.loading && !accounts.data && <Loading />}
      <ErrorNotice error={accounts.error} />
      {accounts.data && <AccountsTable accounts={accounts.data.results} />}
    </section>
  );
}

export function AccountsTable({ accounts }: { accounts: Schemas['AccountSummary'][] }) {
  const { m } = useT();
  if (accounts.length === 0) return <p class="muted">{m.home.noAccount}</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">{m.home.accounts}</caption>
        <thead>
          <tr>
            <th scope="col">{m.home.account}</th>
            <th scope="col" class="number">
              {m.home.balance}
            </th>
            <th scope="col" class="number">
              {m.home.reserved}
            </th>
            <th scope="col" class="number">
              {m.home.available}
            </th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((account) => (
            <tr key={account.account_id}>
              <th scope="row">{account.account_id}</th>
              <td class="number">
                <Amount value={account.balance} currency={account.currency} />
              </td>
              <td class="number">
                <Amount value={account.reserved} currency={account.currency} />
              </td>
              <td class="number">
                <Amount value={account.available} currency={account.currency} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Needs {
  awaiting: BulkEntry[];
  withFailures: BulkEntry[];
}

/** Bulks awaiting approval that this user did not create (a creator may not approve), and ended bulks with failures. */
async function loadNeeds(profile: Profile): Promise<Needs> {
  const awaiting = mayApprove(profile)
    ? dataOf(
        await api.GET('/api/bulk-transfers/history', { params: { query: { state: 'AWAITING_APPROVAL', limit: 20 } } }),
      ).results
    : [];
  const creators = await Promise.all(
    awaiting.map(async (bulk) => {
      const details = dataOf(
        await api.GET('/api/bulk-transfers/{bulk_id}/details', {
          params: { path: { bulk_id: bulk.bulk_id }, query: { limit: 1 } },
        }),
      );
      return details.created_by?.id ?? null;
    }),
  );
  const recent = mayPay(profile)
    ? dataOf(await api.GET('/api/bulk-transfers/history', { params: { query: { limit: 50 } } })).results
    : [];
  return {
    awaiting: awaiting.filter((_, index) => creators[index] !== profile.id),
    withFailures: recent
      .filter((bulk) => (bulk.state === 'COMPLETED' || bulk.state === 'FAILED') && bulk.failed_count > 0)
      .slice(0, 5),
  };
}

function ToDo({ profile }: { profile: Profile }) {
  const { m } = useT();
  const needs = useAsync(() => loadNeeds(profile), [profile.id]);
  if (!mayApprove(profile) && !mayPay(profile)) return null;
  const data = needs.data;
  return (
    <section aria-labelledby="todo-title">
      <h2 id="todo-title">{m.home.toDo}</h2>
      {needs.loading && !data && <Loading />}
      <ErrorNotice error={needs.error} />
      {data && data.awaiting.length === 0 && data.withFailures.length === 0 && (
        <p class="muted">{m.home.nothingToDo}</p>
      )}
      {data && data.awaiting.length > 0 && (
        <>
          <h3>{m.home.awaitingMyApproval}</h3>
          <BulkTable bulks={data.awaiting} caption={m.home.awaitingMyApproval} />
        </>
      )}
      {data && data.withFailures.length > 0 && (
        <>
          <h3>{m.home.failedToRetry}</h3>
          <BulkTable bulks={data.withFailures} caption={m.home.failedToRetry} />
        </>
      )}
    </section>
  );
}

function Latest() {
  const { m } = useT();
  const latest = useAsync(
    async () => dataOf(await api.GET('/api/bulk-transfers/history', { params: { query: { limit: 10 } } })),
    [],
  );
  return (
    <section aria-labelledby="latest-title">
      <h2 id="latest-title">{m.home.latest}</h2>
      {latest.loading && !latest.data && <Loading />}
      <ErrorNotice error={latest.error} />
      {latest.data && <BulkTable bulks={latest.data.results} caption={m.home.latest} />}
      <p>
        <Link href={paths.history}>{m.home.seeHistory}</Link>
      </p>
    </section>
  );
}
