/**
 * The organization's users, read-only, for its GESTIONNAIREs and SUPERVISEURs: who can approve a bulk (the
 * approvers: active GESTIONNAIREs, each for the bulks others created), filtered by role and state, paged.
 */
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { dataOf } from '../api/errors';
import type { Profile } from '../auth';
import { ErrorNotice, Loading, Notice, Pager, StateBadge } from '../components/Display';
import { useT } from '../i18n';
import { useAsync } from '../useAsync';

type Member = Schemas['OrganizationMember'];
type Role = Member['role'];
const ROLES: readonly Role[] = ['GESTIONNAIRE', 'SUPERVISEUR'];
const PAGE = 50;

/** An approver as the API decides it: an active GESTIONNAIRE of the organization. */
function approves(member: Member): boolean {
  return member.is_active && member.role === 'GESTIONNAIRE';
}

export function TeamPage({ profile }: { profile: Profile }) {
  const { m } = useT();
  const [role, setRole] = useState<Role | ''>('');
  const [active, setActive] = useState<'' | 'true' | 'false'>('true');
  const [offset, setOffset] = useState(0);
  const members = useAsync(async () => {
    const query: { role?: Role; is_active?: boolean; limit: number; offset: number } = { limit: PAGE, offset };
    if (role) query.role = role;
    if (active) query.is_active = active === 'true';
    return dataOf(await api.GET('/api/organization/users', { params: { query } }));
  }, [role, active, offset]);

  if (!profile.organization) return <Notice>{m.errors.permission_denied}</Notice>;
  return (
    <>
      <h1>
        {m.team.title} <span class="muted">· {profile.organization.name}</span>
      </h1>
      <p>{m.team.intro}</p>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label for="team-role">{m.admin.role}</label>
          <select
            id="team-role"
            value={role}
            onChange={(event) => {
              setRole(event.currentTarget.value as Role | '');
              setOffset(0);
            }}
          >
            <option value="">{m.common.all}</option>
            {ROLES.map((value) => (
              <option key={value} value={value}>
                {m.roles[value]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="team-active">{m.admin.state}</label>
          <select
            id="team-active"
            value={active}
            onChange={(event) => {
              setActive(event.currentTarget.value as '' | 'true' | 'false');
              setOffset(0);
            }}
          >
            <option value="">{m.common.all}</option>
            <option value="true">{m.admin.activeOnly}</option>
            <option value="false">{m.admin.inactiveOnly}</option>
          </select>
        </div>
      </form>
      {members.loading && !members.data && <Loading />}
      <ErrorNotice error={members.error} />
      {members.data && (
        <>
          <MembersTable members={members.data.results} />
          <Pager total={members.data.total} limit={PAGE} offset={offset} onPage={setOffset} />
        </>
      )}
    </>
  );
}

function MembersTable({ members }: { members: Member[] }) {
  const { m } = useT();
  if (members.length === 0) return <p class="muted">{m.team.noMembers}</p>;
  return (
    <div class="table-scroll">
      <table data-testid="team">
        <caption class="visually-hidden">{m.team.title}</caption>
        <thead>
          <tr>
            <th scope="col">{m.admin.name}</th>
            <th scope="col">{m.admin.email}</th>
            <th scope="col">{m.admin.role}</th>
            <th scope="col">{m.admin.state}</th>
            <th scope="col">{m.team.approver}</th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.id} data-member={member.email}>
              <th scope="row">
                {member.first_name} {member.last_name}
              </th>
              <td>{member.email}</td>
              <td>{m.roles[member.role]}</td>
              <td>
                <StateBadge
                  state={member.is_active ? 'ACTIVE' : 'ENDED'}
                  label={member.is_active ? m.admin.active : m.admin.inactive}
                />
              </td>
              <td>
                {approves(member) ? <StateBadge state="COMPLETED" label={m.team.approver} /> : m.team.notApprover}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
