/**
 * The audit log (staff): who changed what, newest first, with the API's filters (action, author, organization,
 * subject, days), paged. A link can open it on one subject's history (?subject_type=user&subject_id=7). The
 * values an entry holds came from users (names, reasons): they are shown as text, never as HTML.
 */
import { useState } from 'preact/hooks';
import { api, type QueryOf, type Schemas } from '../../api/client';
import { dataOf } from '../../api/errors';
import { ErrorNotice, Loading, Pager, When } from '../../components/Display';
import { useT } from '../../i18n';
import { useAsync } from '../../useAsync';
import { organizationName, useOrganizations } from './organizationChoices';

type Entry = Schemas['AuditEntry'];
type AuditQuery = QueryOf<'/api/admin/audit'>;
const PAGE = 50;

interface AuditFilters {
  kind: string;
  actor: string;
  organization: string;
  subjectType: string;
  subjectId: string;
  from: string;
  to: string;
}

const NO_FILTER: AuditFilters = {
  kind: '',
  actor: '',
  organization: '',
  subjectType: '',
  subjectId: '',
  from: '',
  to: '',
};

/** The filters a link opened the page with (only the subject: the one thing links point at). */
function filtersFromAddress(): AuditFilters {
  const query = new URLSearchParams(window.location.search);
  return { ...NO_FILTER, subjectType: query.get('subject_type') ?? '', subjectId: query.get('subject_id') ?? '' };
}

function queryOf(filters: AuditFilters, offset: number): AuditQuery {
  const query: AuditQuery = { limit: PAGE, offset };
  if (filters.kind) query.kind = filters.kind;
  if (/^\d+$/.test(filters.actor.trim())) query.actor = Number(filters.actor.trim());
  if (filters.organization) query.organization_id = Number(filters.organization);
  if (filters.subjectType) query.subject_type = filters.subjectType;
  if (filters.subjectId.trim()) query.subject_id = filters.subjectId.trim();
  if (filters.from) query.from = filters.from;
  if (filters.to) query.to = filters.to;
  return query;
}

export function AuditSection() {
  const { m } = useT();
  const organizations = useOrganizations();
  const [filters, setFilters] = useState<AuditFilters>(filtersFromAddress);
  const [offset, setOffset] = useState(0);
  const entries = useAsync(
    async () => dataOf(await api.GET('/api/admin/audit', { params: { query: queryOf(filters, offset) } })),
    [filters, offset],
  );
  const filter = (change: Partial<AuditFilters>) => {
    setFilters({ ...filters, ...change });
    setOffset(0);
  };

  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{m.admin.audit}</h2>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label for="audit-kind">{m.admin.auditKind}</label>
          <select
            id="audit-kind"
            value={filters.kind}
            onChange={(event) => filter({ kind: event.currentTarget.value })}
          >
            <option value="">{m.common.all}</option>
            {Object.entries(m.admin.kinds).map(([kind, label]) => (
              <option key={kind} value={kind}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="audit-actor">{m.admin.auditActor}</label>
          <input
            id="audit-actor"
            inputMode="numeric"
            pattern="[0-9]*"
            value={filters.actor}
            onInput={(event) => filter({ actor: event.currentTarget.value })}
          />
        </div>
        <div>
          <label for="audit-organization">{m.admin.organizationId}</label>
          <select
            id="audit-organization"
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
          <label for="audit-subject-type">{m.admin.auditSubjectType}</label>
          <select
            id="audit-subject-type"
            value={filters.subjectType}
            onChange={(event) => filter({ subjectType: event.currentTarget.value })}
          >
            <option value="">{m.common.all}</option>
            {Object.entries(m.admin.subjects).map(([subject, label]) => (
              <option key={subject} value={subject}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="audit-subject-id">{m.admin.auditSubjectId}</label>
          <input
            id="audit-subject-id"
            maxLength={128}
            value={filters.subjectId}
            onInput={(event) => filter({ subjectId: event.currentTarget.value })}
          />
        </div>
        <div>
          <label for="audit-from">{m.admin.from}</label>
          <input
            id="audit-from"
            type="date"
            value={filters.from}
            onChange={(event) => filter({ from: event.currentTarget.value })}
          />
        </div>
        <div>
          <label for="audit-to">{m.admin.to}</label>
          <input
            id="audit-to"
            type="date"
            value={filters.to}
            min={filters.from || undefined}
            onChange={(event) => filter({ to: event.currentTarget.value })}
          />
        </div>
        <div class="filter-reset">
          <button type="button" class="secondary" onClick={() => filter(NO_FILTER)}>
            {m.common.reset}
          </button>
        </div>
      </form>
      {entries.loading && !entries.data && <Loading />}
      <ErrorNotice error={entries.error} />
      {entries.data && (
        <>
          <AuditTable entries={entries.data.results} organizations={organizations.data} />
          <Pager total={entries.data.total} limit={PAGE} offset={offset} onPage={setOffset} />
        </>
      )}
    </section>
  );
}

function AuditTable({
  entries,
  organizations,
}: {
  entries: Entry[];
  organizations: Parameters<typeof organizationName>[0];
}) {
  const { m } = useT();
  if (entries.length === 0) return <p class="muted">{m.admin.noEntries}</p>;
  return (
    <div class="table-scroll">
      <table data-testid="audit">
        <caption class="visually-hidden">{m.admin.audit}</caption>
        <thead>
          <tr>
            <th scope="col">{m.admin.when}</th>
            <th scope="col">{m.admin.who}</th>
            <th scope="col">{m.admin.auditKind}</th>
            <th scope="col">{m.admin.subject}</th>
            <th scope="col">{m.admin.organizationId}</th>
            <th scope="col">{m.admin.changes}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} data-kind={entry.kind}>
              <td>
                <When iso={entry.occurred_at} />
              </td>
              <td>{entry.actor_email ?? m.admin.system}</td>
              <td>{m.admin.kinds[entry.kind] ?? entry.kind}</td>
              <td>
                {m.admin.subjects[entry.subject_type] ?? entry.subject_type}{' '}
                <span class="mono">{entry.subject_id}</span>
              </td>
              <td>{organizationName(organizations, entry.organization_id) ?? m.common.none}</td>
              <td>
                <Changes entry={entry} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Each field the entry changed: `field: before → after` (only `after` for a creation). */
function Changes({ entry }: { entry: Entry }) {
  const { m } = useT();
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  if (fields.length === 0) return <>{m.common.none}</>;
  return (
    <ul class="changes">
      {fields.map((field) => (
        <li key={field}>
          <span class="mono">{field}</span> :{' '}
          {entry.before === null
            ? `${shown(after[field])} (${m.admin.created})`
            : `${shown(before[field])} → ${shown(after[field])}`}
        </li>
      ))}
    </ul>
  );
}

function shown(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
