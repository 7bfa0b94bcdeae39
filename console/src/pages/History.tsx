/** Every bulk of the organization, newest first, filtered by state and creation days (the API's filters), paged. */
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { dataOf } from '../api/errors';
import { BulkTable } from '../components/BulkTable';
import { ErrorNotice, Loading, Pager } from '../components/Display';
import { useT } from '../i18n';
import { useAsync } from '../useAsync';

const STATES = ['PENDING', 'AWAITING_APPROVAL', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
type State = (typeof STATES)[number];
const PAGE = 20;

export function HistoryPage() {
  const { m } = useT();
  const [state, setState] = useState<State | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [offset, setOffset] = useState(0);
  const history = useAsync(async () => {
    const query: { state?: State; start_date?: string; end_date?: string; limit: number; offset: number } = {
      limit: PAGE,
      offset,
    };
    if (state) query.state = state;
    if (from) query.start_date = from;
    if (to) query.end_date = to;
    return dataOf(await api.GET('/api/bulk-transfers/history', { params: { query } }));
  }, [state, from, to, offset]);

  const change = (apply: () => void) => {
    apply();
    setOffset(0);
  };

  return (
    <>
      <h1>{m.history.title}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label for="history-state">{m.history.state}</label>
          <select
            id="history-state"
            value={state}
            onChange={(event) => change(() => setState(event.currentTarget.value as State | ''))}
          >
            <option value="">{m.common.all}</option>
            {STATES.map((value) => (
              <option key={value} value={value}>
                {m.bulkStates[value]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="history-from">{m.history.from}</label>
          <input
            id="history-from"
            type="date"
            value={from}
            onChange={(event) => change(() => setFrom(event.currentTarget.value))}
          />
        </div>
        <div>
          <label for="history-to">{m.history.to}</label>
          <input
            id="history-to"
            type="date"
            value={to}
            min={from || undefined}
            onChange={(event) => change(() => setTo(event.currentTarget.value))}
          />
        </div>
        <div class="filter-reset">
          <button type="button" class="secondary" onClick={() => change(() => (setState(''), setFrom(''), setTo('')))}>
            {m.common.reset}
          </button>
        </div>
      </form>
      {history.loading && !history.data && <Loading />}
      <ErrorNotice error={history.error} />
      {history.data && (
        <>
          <BulkTable bulks={history.data.results} caption={m.history.title} />
          <Pager total={history.data.total} limit={PAGE} offset={offset} onPage={setOffset} />
        </>
      )}
    </>
  );
}
