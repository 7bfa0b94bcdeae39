/**
 * Organizations (staff): the list (active, suspended), paged; one organization's editor (name, active, maker-checker
 * and its approval deadline in hours), and the creation form. The code is fixed for good (the pension schedule is
 * named after it), so the editor shows it and does not offer to change it. Only the fields changed are sent, so
 * the audit log says what changed.
 */
import { useState } from 'preact/hooks';
import { api, type JsonBody } from '../../api/client';
import { dataOf } from '../../api/errors';
import { ErrorNotice, Loading, Notice, Pager, When } from '../../components/Display';
import { formatCount } from '../../format';
import { useT } from '../../i18n';
import { useAsync } from '../../useAsync';
import type { Organization } from './organizationChoices';
import { ActiveBadge } from './Users';

const PAGE = 20;
type Patch = JsonBody<'/api/admin/organizations/{organization_id}', 'patch'>;

export function OrganizationsSection() {
  const { m } = useT();
  const [active, setActive] = useState<'' | 'true' | 'false'>('');
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<Organization | null>(null);
  const organizations = useAsync(async () => {
    const query: { is_active?: boolean; limit: number; offset: number } = { limit: PAGE, offset };
    if (active) query.is_active = active === 'true';
    return dataOf(await api.GET('/api/admin/organizations', { params: { query } }));
  }, [active, offset]);

  return (
    <>
      <section aria-labelledby="organizations-title">
        <h2 id="organizations-title">{m.admin.organizations}</h2>
        <form class="filters" onSubmit={(event) => event.preventDefault()}>
          <div>
            <label for="organizations-active">{m.admin.state}</label>
            <select
              id="organizations-active"
              value={active}
              onChange={(event) => {
                setActive(event.currentTarget.value as '' | 'true' | 'false');
                setOffset(0);
              }}
            >
              <option value="">{m.common.all}</option>
              <option value="true">{m.admin.activeOrgsOnly}</option>
              <option value="false">{m.admin.suspendedOrgsOnly}</option>
            </select>
          </div>
        </form>
        {organizations.loading && !organizations.data && <Loading />}
        <ErrorNotice error={organizations.error} />
        {organizations.data && (
          <>
            <OrganizationsTable organizations={organizations.data.results} onEdit={setEditing} />
            <Pager total={organizations.data.total} limit={PAGE} offset={offset} onPage={setOffset} />
          </>
        )}
      </section>
      {editing && (
        <OrganizationEditor
          key={editing.id}
          organization={editing}
          onChanged={(changed) => {
            setEditing(changed);
            void organizations.reload();
          }}
          onClose={() => setEditing(null)}
        />
      )}
      <CreateOrganization onCreated={() => void organizations.reload()} />
    </>
  );
}

function ApprovalRule({ organization }: { organization: Organization }) {
  const { m, lang } = useT();
  if (!organization.requires_approval) return <>{m.admin.no}</>;
  const hours = organization.approval_timeout_hours;
  return (
    <>
      {m.admin.yes} ({hours === null ? m.admin.platformDelay : m.admin.hours(formatCount(hours, lang))})
    </>
  );
}

function OrganizationsTable({
  organizations,
  onEdit,
}: {
  organizations: Organization[];
  onEdit: (organization: Organization) => void;
}) {
  const { m } = useT();
  if (organizations.length === 0) return <p class="muted">{m.admin.noOrganizations}</p>;
  const labels = { active: m.admin.orgActive, inactive: m.admin.orgSuspended };
  return (
    <div class="table-scroll">
      <table data-testid="organizations">
        <caption class="visually-hidden">{m.admin.organizations}</caption>
        <thead>
          <tr>
            <th scope="col">{m.admin.codeShort}</th>
            <th scope="col">{m.admin.name}</th>
            <th scope="col">{m.admin.state}</th>
            <th scope="col">{m.admin.approvalShort}</th>
            <th scope="col">{m.bulkTable.created}</th>
            <th scope="col">
              <span class="visually-hidden">{m.admin.edit}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {organizations.map((organization) => (
            <tr key={organization.id} data-organization={organization.code}>
              <th scope="row" class="mono">
                {organization.code}
              </th>
              <td>{organization.name}</td>
              <td>
                <ActiveBadge active={organization.is_active} labels={labels} />
              </td>
              <td>
                <ApprovalRule organization={organization} />
              </td>
              <td>
                <When iso={organization.created_at} />
              </td>
              <td>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => onEdit(organization)}
                  aria-label={m.admin.editOrganization(organization.name)}
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

/** The fields an organization's form edits, as the form holds them (hours as typed: empty is the platform's). */
interface OrganizationFields {
  name: string;
  isActive: boolean;
  requiresApproval: boolean;
  hours: string;
}

function fieldsOf(organization: Organization): OrganizationFields {
  const hours = organization.approval_timeout_hours;
  return {
    name: organization.name,
    isActive: organization.is_active,
    requiresApproval: organization.requires_approval,
    hours: hours === null ? '' : String(hours),
  };
}

function hoursOf(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

/** What the form changed, and only that. */
function patchOf(before: Organization, fields: OrganizationFields): Patch {
  const patch: Patch = {};
  if (fields.name.trim() !== before.name) patch.name = fields.name.trim();
  if (fields.isActive !== before.is_active) patch.is_active = fields.isActive;
  if (fields.requiresApproval !== before.requires_approval) patch.requires_approval = fields.requiresApproval;
  if (hoursOf(fields.hours) !== before.approval_timeout_hours) patch.approval_timeout_hours = hoursOf(fields.hours);
  return patch;
}

function OrganizationFieldset({
  prefix,
  fields,
  onChange,
}: {
  prefix: string;
  fields: OrganizationFields;
  onChange: (fields: OrganizationFields) => void;
}) {
  const { m } = useT();
  const set = (change: Partial<OrganizationFields>) => onChange({ ...fields, ...change });
  return (
    <>
      <div>
        <label for={`${prefix}-name`}>{m.admin.name}</label>
        <input
          id={`${prefix}-name`}
          required
          maxLength={200}
          value={fields.name}
          onInput={(event) => set({ name: event.currentTarget.value })}
        />
      </div>
      <div>
        <label for={`${prefix}-hours`}>{m.admin.approvalHours}</label>
        <input
          id={`${prefix}-hours`}
          inputMode="numeric"
          pattern="[0-9]{1,4}"
          aria-describedby={`${prefix}-hours-hint`}
          value={fields.hours}
          onInput={(event) => set({ hours: event.currentTarget.value })}
        />
        <p class="hint" id={`${prefix}-hours-hint`}>
          {m.admin.approvalHoursHint}
        </p>
      </div>
      <div class="checkbox">
        <input
          id={`${prefix}-approval`}
          type="checkbox"
          checked={fields.requiresApproval}
          onChange={(event) => set({ requiresApproval: event.currentTarget.checked })}
        />
        <label for={`${prefix}-approval`}>{m.admin.requiresApproval}</label>
      </div>
      <div class="checkbox">
        <input
          id={`${prefix}-active`}
          type="checkbox"
          checked={fields.isActive}
          onChange={(event) => set({ isActive: event.currentTarget.checked })}
        />
        <label for={`${prefix}-active`}>{m.admin.isActive}</label>
      </div>
    </>
  );
}

function OrganizationEditor({
  organization,
  onChanged,
  onClose,
}: {
  organization: Organization;
  onChanged: (organization: Organization) => void;
  onClose: () => void;
}) {
  const { m } = useT();
  const [fields, setFields] = useState(fieldsOf(organization));
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setDone(null);
    try {
      const body = patchOf(organization, fields);
      const saved = dataOf(
        await api.PATCH('/api/admin/organizations/{organization_id}', {
          params: { path: { organization_id: organization.id } },
          body,
        }),
      );
      setDone(m.admin.saved);
      onChanged(saved);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section class="card" aria-labelledby="organization-editor-title">
      <h2 id="organization-editor-title">{m.admin.editOrganization(organization.name)}</h2>
      <p>
        {m.admin.codeShort} <code>{organization.code}</code>
      </p>
      <form onSubmit={(event) => void submit(event)} class="grid-form">
        <OrganizationFieldset prefix="edit-organization" fields={fields} onChange={setFields} />
        <div class="actions">
          <button type="submit">{m.common.save}</button>
          <button type="button" class="secondary" onClick={onClose}>
            {m.admin.closeEditor}
          </button>
        </div>
      </form>
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorNotice error={error} />
    </section>
  );
}

function CreateOrganization({ onCreated }: { onCreated: () => void }) {
  const { m } = useT();
  const empty: OrganizationFields = { name: '', isActive: true, requiresApproval: false, hours: '' };
  const [code, setCode] = useState('');
  const [fields, setFields] = useState(empty);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setDone(null);
    try {
      const body: JsonBody<'/api/admin/organizations', 'post'> = {
        code: code.trim().toUpperCase(),
        name: fields.name.trim(),
        is_active: fields.isActive,
        requires_approval: fields.requiresApproval,
        approval_timeout_hours: hoursOf(fields.hours),
      };
      const created = dataOf(await api.POST('/api/admin/organizations', { body }));
      setDone(m.admin.organizationCreated(created.name));
      setCode('');
      setFields(empty);
      onCreated();
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section class="card" aria-labelledby="create-organization-title">
      <h2 id="create-organization-title">{m.admin.createOrganization}</h2>
      <form onSubmit={(event) => void submit(event)} class="grid-form">
        <div>
          <label for="new-organization-code">{m.admin.code}</label>
          <input
            id="new-organization-code"
            required
            pattern="[A-Za-z0-9][A-Za-z0-9_\-]{1,31}"
            value={code}
            onInput={(event) => setCode(event.currentTarget.value)}
          />
        </div>
        <OrganizationFieldset prefix="new-organization" fields={fields} onChange={setFields} />
        <div class="actions">
          <button type="submit">{m.admin.createOrganization}</button>
        </div>
      </form>
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorNotice error={error} />
    </section>
  );
}
