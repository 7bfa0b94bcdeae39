/**
 * One beneficiary: status, pension, proof of life (recorded here by a GESTIONNAIRE), and their monthly runs: for
 * each recent period, whether they were in the run's bulk or held out, and why.
 */
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { dataOf } from '../api/errors';
import { mayPay, type Profile } from '../auth';
import { Amount, Day, ErrorNotice, Loading, Notice, StateBadge, When } from '../components/Display';
import { Link } from '../components/Link';
import { formatDay, formatPeriod, todayInFund } from '../format';
import { useT } from '../i18n';
import { paths } from '../router';
import { useAsync } from '../useAsync';

type Beneficiary = Schemas['Beneficiary'];
const STATUSES = ['ACTIVE', 'SUSPENDED', 'DECEASED', 'ENDED'] as const;
/** The periods shown in the history: a year of monthly runs. */
const HISTORY_RUNS = 12;

export function BeneficiaryPage({ id, profile }: { id: number; profile: Profile }) {
  const { m } = useT();
  const beneficiary = useAsync(
    async () => dataOf(await api.GET('/api/pension-roll/{id}', { params: { path: { id } } })),
    [id],
  );
  const person = beneficiary.data;
  if (!person) return beneficiary.error ? <ErrorNotice error={beneficiary.error} /> : <Loading />;
  return (
    <>
      <p>
        <Link href={paths.roll}>{m.roll.back}</Link>
      </p>
      <h1>
        {person.full_name} <StateBadge state={person.status} label={m.roll.statuses[person.status]} />
      </h1>
      <section class="card">
        <dl class="facts">
          <dt>{m.roll.identifier}</dt>
          <dd class="mono">
            {person.party_id_type} {person.party_identifier}
          </dd>
          <dt>{m.roll.monthly}</dt>
          <dd>
            <Amount value={person.monthly_amount} currency={person.currency} />
          </dd>
          <dt>{m.roll.lastProof}</dt>
          <dd data-testid="last-proof">
            <Day day={person.last_proof_of_life} />
          </dd>
          {person.status_reason && (
            <>
              <dt>{m.roll.statusReason}</dt>
              <dd>{person.status_reason}</dd>
            </>
          )}
          <dt>{m.roll.startDate}</dt>
          <dd>
            <Day day={person.start_date} />
          </dd>
          <dt>{m.roll.endDate}</dt>
          <dd>
            <Day day={person.end_date} />
          </dd>
        </dl>
      </section>
      {mayPay(profile) && <ProofOfLife person={person} onChanged={() => void beneficiary.reload()} />}
      {mayPay(profile) && <StatusChange person={person} onChanged={() => void beneficiary.reload()} />}
      <RunHistory person={person} />
    </>
  );
}

function ProofOfLife({ person, onChanged }: { person: Beneficiary; onChanged: () => void }) {
  const { m, lang } = useT();
  const today = todayInFund();
  const [day, setDay] = useState(today);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  async function submit(event: Event) {
    event.preventDefault();
    setDone(null);
    setError(undefined);
    try {
      dataOf(
        await api.POST('/api/pension-roll/{id}/proof-of-life', {
          params: { path: { id: person.id } },
          body: { date: day },
        }),
      );
      setDone(m.roll.proofRecorded(formatDay(day, lang)));
      onChanged();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <section class="card" aria-labelledby="proof-title">
      <h2 id="proof-title">{m.roll.proofTitle}</h2>
      <form onSubmit={(event) => void submit(event)} class="inline-form">
        <div>
          <label for="proof-date">{m.roll.proofDate}</label>
          <input
            id="proof-date"
            type="date"
            required
            max={today}
            value={day}
            onChange={(event) => setDay(event.currentTarget.value)}
          />
        </div>
        <button type="submit">{m.roll.proofSubmit}</button>
      </form>
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorNotice error={error} />
    </section>
  );
}

function StatusChange({ person, onChanged }: { person: Beneficiary; onChanged: () => void }) {
  const { m } = useT();
  const [status, setStatus] = useState<(typeof STATUSES)[number]>(person.status);
  const [reason, setReason] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  async function submit(event: Event) {
    event.preventDefault();
    setDone(false);
    setError(undefined);
    try {
      const body: { status: (typeof STATUSES)[number]; reason?: string } = { status };
      if (reason.trim()) body.reason = reason.trim();
      dataOf(await api.POST('/api/pension-roll/{id}/status', { params: { path: { id: person.id } }, body }));
      setDone(true);
      onChanged();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <section class="card" aria-labelledby="status-title">
      <h2 id="status-title">{m.roll.statusTitle}</h2>
      <form onSubmit={(event) => void submit(event)} class="inline-form">
        <div>
          <label for="status-value">{m.roll.status}</label>
          <select
            id="status-value"
            value={status}
            onChange={(event) => setStatus(event.currentTarget.value as (typeof STATUSES)[number])}
          >
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {m.roll.statuses[value]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="status-reason">{m.roll.reason}</label>
          <input
            id="status-reason"
            maxLength={500}
            value={reason}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
        </div>
        <button type="submit">{m.roll.statusSubmit}</button>
      </form>
      {done && <Notice tone="success">{m.roll.statusChanged}</Notice>}
      <ErrorNotice error={error} />
    </section>
  );
}

interface PeriodEntry {
  period: string;
  createdAt: string;
  bulkId: string | null;
  heldOut: string | null;
}

/** The recent runs, and where this beneficiary stood in each (runs since they joined the roll). */
async function loadRunHistory(person: Beneficiary): Promise<PeriodEntry[]> {
  const runs = dataOf(await api.GET('/api/pension-runs', { params: { query: { limit: HISTORY_RUNS } } })).results;
  const relevant = runs.filter((run) => run.created_at >= person.created_at);
  return Promise.all(
    relevant.map(async (run) => {
      const details = dataOf(await api.GET('/api/pension-runs/{period}', { params: { path: { period: run.period } } }));
      const held = details.held_out.find((entry) => entry.beneficiary_id === person.id);
      return { period: run.period, createdAt: run.created_at, bulkId: run.bulk_id, heldOut: held?.reason ?? null };
    }),
  );
}

function RunHistory({ person }: { person: Beneficiary }) {
  const { m, lang } = useT();
  const history = useAsync(() => loadRunHistory(person), [person.id]);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{m.roll.history}</h2>
      {history.loading && !history.data && <Loading />}
      <ErrorNotice error={history.error} />
      {history.data && history.data.length === 0 && <p class="muted">{m.roll.historyEmpty}</p>}
      {history.data && history.data.length > 0 && (
        <ul class="plain">
          {history.data.map((entry) => (
            <li key={entry.period}>
              <strong>{formatPeriod(entry.period, lang)}</strong> (<When iso={entry.createdAt} />) —{' '}
              {entry.heldOut !== null ? (
                m.roll.heldOut(m.runs.reasons[entry.heldOut] ?? entry.heldOut)
              ) : entry.bulkId ? (
                <Link href={paths.bulk(entry.bulkId)}>{m.roll.included}</Link>
              ) : (
                m.common.none
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
