/**
 * A bulk's lines, a page at a time from /details. Filtering by status or failure code reads the bulk's
 * reconciliation report (every line) once and pages it here, because /details has no such filters yet.
 */
import { useState } from 'preact/hooks';
import { api, type MinorUnits, type Schemas } from '../api/client';
import { dataOf } from '../api/errors';
import { useT } from '../i18n';
import { useAsync } from '../useAsync';
import { Amount, ErrorNotice, Loading, Pager, StateBadge, When } from './Display';

interface Line {
  line_number: number;
  payee_party_id_type: string;
  payee_party_identifier: string;
  payee_name: string | null;
  amount: MinorUnits;
  fee_amount: MinorUnits | null;
  currency: string;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
  completed_at: string | null;
  attempt?: number;
}

const STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;

export function BulkLines({ bulk, offset, limit, onPage }: { bulk: Schemas['BulkDetails']; offset: number; limit: number; onPage: (offset: number) => void }) {
  const { m } = useT();
  const [status, setStatus] = useState('');
  const [code, setCode] = useState('');
  const [filteredOffset, setFilteredOffset] = useState(0);
  const filtering = status !== '' || code.trim() !== '';
  const report = useAsync(
    async () =>
      filtering ? dataOf(await api.GET('/api/bulk-transfers/{bulk_id}/report.json', { params: { path: { bulk_id: bulk.bulk_id } } })).transfers : null,
    // Read again when the filter starts, and as the bulk moves on (its counts change).
    [filtering, bulk.bulk_id, bulk.statistics.completed + bulk.statistics.failed],
  );

  let lines: Line[] = bulk.individual_transfers;
  let total = bulk.individual_transfers_count;
  let shownOffset = offset;
  let page = onPage;
  if (filtering) {
    const wanted = code.trim().toLowerCase();
    const matching = (report.data ?? []).filter((line) => (status === '' || line.status === status) && (wanted === '' || (line.failure_code ?? '').toLowerCase() === wanted));
    total = matching.length;
    shownOffset = filteredOffset;
    lines = matching.slice(filteredOffset, filteredOffset + limit);
    page = setFilteredOffset;
  }

  return (
    <section aria-labelledby="lines-title">
      <h2 id="lines-title">{m.bulk.lines}</h2>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label for="lines-status">{m.bulk.filterStatus}</label>
          <select
            id="lines-status"
            value={status}
            onChange={(event) => {
              setStatus(event.currentTarget.value);
              setFilteredOffset(0);
            }}
          >
            <option value="">{m.common.all}</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {m.lineStatuses[value]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="lines-code">{m.bulk.filterCode}</label>
          <input
            id="lines-code"
            type="search"
            value={code}
            onInput={(event) => {
              setCode(event.currentTarget.value);
              setFilteredOffset(0);
            }}
          />
        </div>
      </form>
      {filtering && report.loading && !report.data && <Loading />}
      <ErrorNotice error={report.error} />
      {lines.length === 0 ? <p class="muted">{m.bulk.noLines}</p> : <LinesTable lines={lines} />}
      <Pager total={total} limit={limit} offset={shownOffset} onPage={page} />
    </section>
  );
}

function LinesTable({ lines }: { lines: Line[] }) {
  const { m } = useT();
  return (
    <div class="table-scroll">
      <table class="lines">
        <caption class="visually-hidden">{m.bulk.lines}</caption>
        <thead>
          <tr>
            <th scope="col" class="number">
              {m.bulk.colLine}
            </th>
            <th scope="col">{m.bulk.colPayee}</th>
            <th scope="col">{m.bulk.colName}</th>
            <th scope="col" class="number">
              {m.bulk.colAmount}
            </th>
            <th scope="col">{m.bulk.colStatus}</th>
            <th scope="col">{m.bulk.colFailure}</th>
            <th scope="col">{m.bulk.colCompleted}</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.line_number} data-line={line.line_number}>
              <td class="number">{line.line_number}</td>
              <td class="mono">{line.payee_party_identifier}</td>
              <td>{line.payee_name ?? m.common.none}</td>
              <td class="number">
                <Amount value={line.amount} currency={line.currency} />
                {line.fee_amount !== null && Number(line.fee_amount) > 0 && (
                  <span class="hint">
                    {' '}
                    ({m.bulk.colFee} <Amount value={line.fee_amount} currency={line.currency} />)
                  </span>
                )}
              </td>
              <td>
                <StateBadge state={line.status} label={m.lineStatuses[line.status]} />
                {line.attempt !== undefined && line.attempt > 1 && <span class="hint"> · {m.bulk.colAttempt} {line.attempt}</span>}
              </td>
              <td>{line.failure_code && <Failure code={line.failure_code} message={line.failure_message} />}</td>
              <td>
                <When iso={line.completed_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A failure's code (Mojaloop's, or ours) and what it means, in the user's language when we know the code. */
function Failure({ code, message }: { code: string; message: string | null }) {
  const { m } = useT();
  return (
    <span class="failure">
      <code>{code}</code> {m.failures[code] ?? message ?? ''}
    </span>
  );
}
