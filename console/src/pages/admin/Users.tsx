/**
 * Users (staff): the list with the API's filters (organization, role, active or not), paged; one user's editor
 * (name, phone, role), deactivation and reactivation, a password reset that hands back a temporary password; and
 * the creation form. Deactivating and resetting ask first: both end the user's sessions.
 */
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import { dataOf } from '../../api/errors';
import type { Profile } from '../../auth';
import { Confirm } from '../../components/Confirm';
import { ErrorNotice, Loading, Notice, Pager, StateBadge, When } from '../../components/Display';
import { Link } from '../../components/Link';
import { useT } from '../../i18n';
import { paths } from '../../router';
import { useAsync } from '../../useAsync';
import { CreateUser } from './CreateUser';
import { useOrganizations } from './organizationChoices';

type User = Schemas['AdminUser'];
type Role = User['role'];
const ROLES: readonly Role[] = ['GESTIONNAIRE', 'SUPERVISEUR'];
const PAGE = 20;

interface UserFilters {
  organization: string;
  role: Role | '';
  active: '' | 'true' | 'false';
}

export function UsersSection({ profile }: { profile: Profile }) {
  const { m } = useT();
  const organizations = useOrganizations();
  const [filters, setFilters] = useState<UserFilters>({ organization: '', role: '', active: '' });
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<User | null>(null);
  const users = useAsync(async () => {
    const query: { organization_id?: number; role?: Role; is_active?: boolean; limit: number; offset: number } = {
      limit: PAGE,
      offset,
    };
    if (filters.organization) query.organization_id = Number(filters.organization);
    if (filters.role) query.role = filters.role;
    if (filters.active) query.is_active = filters.active === 'true';
    return dataOf(await api.GET('/api/admin/users', { params: { query } }));
  }, [filters, offset]);

  const filter = (change: Partial<UserFilters>) => {
    setFilters({ ...filters, ...change });
    setOffset(0);
  };
  const changed = (user: User) => {
    setEditing(user);
    void users.reload();
  };

  return (
    <>
      <section aria-labelledby="users-title">
        <h2 id="users-title">{m.admin.users}</h2>
        <form class="filters" onSubmit={(event) => event.preventDefault()}>
          <div>
            <label for="users-organization">{m.admin.organizationId}</label>
            <select
              id="users-organization"
              value={filters.organization}
              onChange={(event) => filter({ organization: event.currentTarget.value })}
            >
              <option value="">{m.common.all}</option>
              {(organizations.data ?? []).map((organization) => (
                <option key={organization.id} value={String(organization.id)}>
                  {organization.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="users-role">{m.admin.role}</label>
            <select
              id="users-role"
              value={filters.role}
              onChange={(event) => filter({ role: event.currentTarget.value as Role | '' })}
            >
              <option value="">{m.common.all}</option>
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {m.roles[role]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="users-active">{m.admin.state}</label>
            <select
              id="users-active"
              value={filters.active}
              onChange={(event) => filter({ active: event.currentTarget.value as UserFilters['active'] })}
            >
              <option value="">{m.common.all}</option>
              <option value="true">{m.admin.activeOnly}</option>
              <option value="false">{m.admin.inactiveOnly}</option>
            </select>
          </div>
        </form>
        {users.loading && !users.data && <Loading />}
        <ErrorNotice error={users.error} />
        {users.data && (
          <>
            <UsersTable users={users.data.results} onEdit={setEditing} />
            <Pager total={users.data.total} limit={PAGE} offset={offset} onPage={setOffset} />
          </>
        )}
      </section>
      {editing && <UserEditor key={editing.id} user={editing} onChanged={changed} onClose={() => setEditing(null)} />}
      <CreateUser profile={profile} organizations={organizations.data ?? []} onCreated={() => void users.reload()} />
    </>
  );
}

function UsersTable({ users, onEdit }: { users: User[]; onEdit: (user: User) => void }) {
  const { m } = useT();
  if (users.length === 0) return <p class="muted">{m.admin.noUsers}</p>;
  return (
    <div class="table-scroll">
      <table data-testid="users">
        <caption class="visually-hidden">{m.admin.users}</caption>
        <thead>
          <tr>
            <th scope="col">{m.admin.email}</th>
            <th scope="col">{m.admin.name}</th>
            <th scope="col">{m.admin.organizationId}</th>
            <th scope="col">{m.admin.role}</th>
            <th scope="col">{m.admin.state}</th>
            <th scope="col">{m.admin.lastLogin}</th>
            <th scope="col">
              <span class="visually-hidden">{m.admin.edit}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id} data-user={user.email}>
              <th scope="row">{user.email}</th>
              <td>
                {user.first_name} {user.last_name}
              </td>
              <td>{user.organization?.name ?? m.admin.noOrganization}</td>
              <td>
                {m.roles[user.role]}
                {user.is_staff && <span class="hint"> · {m.admin.staffShort}</span>}
              </td>
              <td>
                <ActiveBadge active={user.is_active} />
              </td>
              <td>{user.last_login ? <When iso={user.last_login} /> : m.admin.never}</td>
              <td>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => onEdit(user)}
                  aria-label={m.admin.editUser(user.email)}
                >
                  {m.admin.edit}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ActiveBadge({ active, labels }: { active: boolean; labels?: { active: string; inactive: string } }) {
  const { m } = useT();
  const words = labels ?? { active: m.admin.active, inactive: m.admin.inactive };
  return <StateBadge state={active ? 'ACTIVE' : 'ENDED'} label={active ? words.active : words.inactive} />;
}

type Asking = 'deactivate' | 'reset' | null;

function UserEditor({
  user,
  onChanged,
  onClose,
}: {
  user: User;
  onChanged: (user: User) => void;
  onClose: () => void;
}) {
  const { m } = useT();
  const [firstName, setFirstName] = useState(user.first_name);
  const [lastName, setLastName] = useState(user.last_name);
  const [phone, setPhone] = useState(user.phone_number ?? '');
  const [role, setRole] = useState<Role>(user.role);
  const [asking, setAsking] = useState<Asking>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [temporary, setTemporary] = useState<Schemas['PasswordReset'] | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const path = { params: { path: { user_id: user.id } } };

  async function act(run: () => Promise<{ user: User; message: string }>) {
    setBusy(true);
    setError(undefined);
    setDone(null);
    setTemporary(null);
    try {
      const result = await run();
      setAsking(null);
      setDone(result.message);
      onChanged(result.user);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const save = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      const body = {
        first_name: firstName.trim(),
        last_name: lastName.trim(),
        phone_number: phone.trim() === '' ? null : phone.trim(),
        role,
      };
      return { user: dataOf(await api.PATCH('/api/admin/users/{user_id}', { ...path, body })), message: m.admin.saved };
    });
  };
  const deactivate = () =>
    act(async () => ({
      user: dataOf(await api.POST('/api/admin/users/{user_id}/deactivate', path)),
      message: m.admin.deactivated(user.email),
    }));
  const reactivate = () =>
    act(async () => ({
      user: dataOf(await api.POST('/api/admin/users/{user_id}/reactivate', path)),
      message: m.admin.reactivated(user.email),
    }));
  const reset = () =>
    act(async () => {
      const answer = dataOf(await api.POST('/api/admin/users/{user_id}/reset-password', path));
      setTemporary(answer);
      return { user: answer.user, message: '' };
    });

  return (
    <section class="card" aria-labelledby="user-editor-title">
      <h2 id="user-editor-title">{m.admin.editUser(user.email)}</h2>
      <p>
        <ActiveBadge active={user.is_active} /> {user.organization?.name ?? m.admin.noOrganization}
      </p>
      <form onSubmit={save} class="grid-form">
        <div>
          <label for="edit-first">{m.admin.firstName}</label>
          <input
            id="edit-first"
            required
            maxLength={150}
            value={firstName}
            onInput={(event) => setFirstName(event.currentTarget.value)}
          />
        </div>
        <div>
          <label for="edit-last">{m.admin.lastName}</label>
          <input
            id="edit-last"
            required
            maxLength={150}
            value={lastName}
            onInput={(event) => setLastName(event.currentTarget.value)}
          />
        </div>
        <div>
          <label for="edit-phone">{m.admin.phone}</label>
          <input id="edit-phone" type="tel" value={phone} onInput={(event) => setPhone(event.currentTarget.value)} />
        </div>
        <div>
          <label for="edit-role">{m.admin.role}</label>
          <select id="edit-role" value={role} onChange={(event) => setRole(event.currentTarget.value as Role)}>
            {ROLES.map((value) => (
              <option key={value} value={value}>
                {m.roles[value]}
              </option>
            ))}
          </select>
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {m.common.save}
          </button>
        </div>
      </form>
      <div class="actions">
        {user.is_active ? (
          <button type="button" class="danger" onClick={() => setAsking('deactivate')} disabled={busy}>
            {m.admin.deactivate}
          </button>
        ) : (
          <button type="button" onClick={() => void reactivate()} disabled={busy}>
            {m.admin.reactivate}
          </button>
        )}
        <button type="button" class="secondary" onClick={() => setAsking('reset')} disabled={busy}>
          {m.admin.resetPassword}
        </button>
        <button type="button" class="secondary" onClick={onClose}>
          {m.admin.closeEditor}
        </button>
      </div>
      {asking === 'deactivate' && (
        <Confirm
          id="deactivate-title"
          title={m.admin.deactivateTitle}
          confirm={m.admin.deactivateConfirm}
          busy={busy}
          onConfirm={() => void deactivate()}
          onClose={() => setAsking(null)}
        >
          {m.admin.deactivateText}
        </Confirm>
      )}
      {asking === 'reset' && (
        <Confirm
          id="reset-title"
          title={m.admin.resetTitle}
          confirm={m.admin.resetConfirm}
          busy={busy}
          onConfirm={() => void reset()}
          onClose={() => setAsking(null)}
        >
          {m.admin.resetText}
        </Confirm>
      )}
      {done && <Notice tone="success">{done}</Notice>}
      {temporary && (
        <Notice tone="success">
          {m.admin.passwordReset(temporary.user.email)} <code>{temporary.temporary_password}</code>{' '}
          {m.admin.delivery[temporary.email_delivery]}
        </Notice>
      )}
      <ErrorNotice error={error} />
      <p>
        <Link href={`${paths.adminAudit}?subject_type=user&subject_id=${user.id}`}>{m.admin.itsHistory}</Link>
      </p>
    </section>
  );
}
