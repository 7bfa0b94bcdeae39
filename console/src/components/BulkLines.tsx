/**
 * A bulk's lines, a page at a time, filtered by status and failure code: the API filters and pages them
 * (/details `status`, `failure_code`, `matching_transfers_count`), so a bulk of 100 000 lines is never read whole.
 * The bulk page owns the query (it reads /details with it, and again while the bulk runs); this draws it.
 */
import type { Schemas } from '../api/client';
import type { Profile } from '../auth';
import { formatCount } from '../format';
import { useT } from '../i18n';
import { Amount, Pager, StateBadge, When } from './Display';
import { HeldLine } from './HeldLine';

type Line = Schemas['TransferDetail'];
export type LineStatus = Line['status'];

const STATUSES: readonly LineStatus[] = ['PENDING', 'PROCESSING', 'ON_HOLD', 'COMPLETED', 'FAILED'];

export interface LinesQuery {
  status: LineStatus | '';
  /** As typed; sent trimmed, matched exactly by the API (Mojaloop's codes are digits, ours lower case). */
  failureCode: string;
  offset: number;
}

export const NO_FILTER: LinesQuery = { status: '', failureCode: '', offset: 0 };

export function BulkLines({
  bulk,
  query,
  limit,
  profile,
  onQuery,
  onDecided,
}: {
  bulk: Schemas['BulkDetails'];
  query: LinesQuery;
  limit: number;
  profile: Profile;
  onQuery: (query: LinesQuery) => void;
  /** A held line was released or rejected: the bulk is read again. */
  onDecided: () => void;
}) {
  const { m, lang } = useT();
  // Another filter starts again at its first page.
  const filter = (change: Partial<LinesQuery>) => onQuery({ ...query, ...change, offset: 0 });
  const filtering = query.status !== '' || query.failureCode.trim() !== '';
  const lines = bulk.individual_transfers;

  return (
    <section aria-labelledby="lines-title">
      <h2 id="lines-title">{m.bulk.lines}</h2>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label for="lines-status">{m.bulk.filterStatus}</label>
          <select
            id="lines-status"
            value={query.status}
            onChange={(event) => filter({ status: event.currentTarget.value as LineStatus | '' })}
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
            value={query.failureCode}
            onInput={(event) => filter({ failureCode: event.currentTarget.value })}
          />
        </div>
        {filtering && (
          <div class="filter-reset">
            <button type="button" class="secondary" onClick={() => onQuery(NO_FILTER)}>
              {m.common.reset}
            </button>
          </div>
        )}
      </form>
      {filtering && (
        <p class="hint" data-testid="lines-matching">
          {m.bulk.matching(
            formatCount(bulk.matching_transfers_count, lang),
            formatCount(bulk.individual_transfers_count, lang),
          )}
        </p>
      )}
      {lines.length === 0 ? (
        <p class="muted">{m.bulk.noLines}</p>
      ) : (
        <LinesTable bulkId={bulk.bulk_id} lines={lines} profile={profile} onDecided={onDecided} />
      )}
      <Pager
        total={bulk.matching_transfers_count}
        limit={limit}
        offset={query.offset}
        onPage={(offset) => onQuery({ ...query, offset })}
      />
    </section>
  );
}

function LinesTable({
  bulkId,
  lines,
  profile,
  onDecided,
}: {
  bulkId: string;
  lines: Line[];
  profile: Profile;
  onDecided: () => void;
}) {
  const { m, lang } = useT();
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
              <td>
                {line.payee_name ?? m.common.none}
                {line.expected_payee_name !== null && (
                  <span class="hint" data-testid="expected-name">
                    {' '}
                    ·{' '}
                    {m.bulk.expectedName(
                      line.expected_payee_name,
                      line.name_match_score === null ? '—' : formatScore(line.name_match_score, lang),
                    )}
                  </span>
                )}
              </td>
              <td class="number">
                <Amount value={line.amount} currency={line.currency} />
                {line.fee_amount !== null && line.fee_amount > 0 && (
                  <span class="hint">
                    {' '}
                    ({m.bulk.colFee} <Amount value={line.fee_amount} currency={line.currency} />)
                  </span>
                )}
              </td>
              <td>
                <StateBadge state={line.status} label={m.lineStatuses[line.status]} />
                {line.attempt > 1 && (
                  <span class="hint">
                    {' '}
                    · {m.bulk.colAttempt} {line.attempt}
                  </span>
                )}
                <HeldLine bulkId={bulkId} line={line} profile={profile} onDecided={onDecided} />
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

/** A likeness score (0 to 1) as a percentage: "42 %". */
function formatScore(score: number, lang: 'fr' | 'en'): string {
  return `${formatCount(Math.round(score * 100), lang)} %`;
}
