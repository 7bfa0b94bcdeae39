/**
 * Monthly pension runs: the organization's schedule (create, pause, resume, run now) and the runs, each with
 * who was held out and why.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { dataOf } from '../api/errors';
import { mayPay, type Profile } from '../auth';
import { Amount, ErrorNotice, Loading, Notice, StateBadge, When } from '../components/Display';
import { Link } from '../components/Link';
import { FUND_TIME_ZONE, formatCount, formatPeriod } from '../format';
import { useT } from '../i18n';
import { paths } from '../router';
import { useAsync } from '../useAsync';

type Schedule = Schemas['PensionSchedule'];
type Run = Schemas['PensionRunSummary'];
const REFRESH_MS = 2000;

export function RunsPage({ profile }: { profile: Profile }) {
  const { m } = useT();
  const [triggered, setTriggered] = useState<number | null>(null);
  const runs = useAsync(
    async () => dataOf(await api.GET('/api/pension-runs', { params: { query: { limit: 24 } } })),
    [],
  );
  const data = runs.data;
  const running = data?.results.some((run) => run.state === 'PROCESSING') ?? false;
  // After "run now", until the new run shows (the list grew), and while a run pays: read the list again.
  const waitingForRun = triggered !== null && data !== undefined && data.total <= triggered;

  useEffect(() => {
    if ((!running && !waitingForRun) || runs.loading) return;
    const timer = setTimeout(() => void runs.reload(), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [running, waitingForRun, runs.loading, data]);

  return (
    <>
      <h1>{m.runs.title}</h1>
      <ScheduleCard profile={profile} onTriggered={() => setTriggered(data?.total ?? 0)} />
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">{m.runs.caption}</h2>
        {runs.loading && !data && <Loading />}
        <ErrorNotice error={runs.error} />
        {data && <RunsTable runs={data.results} />}
      </section>
    </>
  );
}

function ScheduleCard({ profile, onTriggered }: { profile: Profile; onTriggered: () => void }) {
  const { m } = useT();
  const schedule = useAsync(async () => dataOf(await api.GET('/api/pension-runs/schedules')).results[0] ?? null, []);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const writes = mayPay(profile);

  async function command(name: 'pause' | 'resume' | 'trigger', current: Schedule) {
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      const path = { params: { path: { schedule_id: current.schedule_id } }, body: {} };
      if (name === 'pause') dataOf(await api.POST('/api/pension-runs/schedules/{schedule_id}/pause', path));
      if (name === 'resume') dataOf(await api.POST('/api/pension-runs/schedules/{schedule_id}/resume', path));
      if (name === 'trigger') {
        dataOf(await api.POST('/api/pension-runs/schedules/{schedule_id}/trigger', path));
        setDone(m.runs.triggered);
        onTriggered();
      }
      await schedule.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const current = schedule.data;
  return (
    <section class="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">{m.runs.schedule}</h2>
      {schedule.loading && current === undefined && <Loading />}
      <ErrorNotice error={schedule.error} />
      {current === null && (
        <>
          <p>{m.runs.noSchedule}</p>
          {writes && <CreateSchedule onCreated={() => void schedule.reload()} />}
        </>
      )}
      {current && (
        <>
          <ScheduleFacts schedule={current} />
          {writes && (
            <div class="actions">
              {current.paused ? (
                <button type="button" class="secondary" disabled={busy} onClick={() => void command('resume', current)}>
                  {m.runs.resume}
                </button>
              ) : (
                <button type="button" class="secondary" disabled={busy} onClick={() => void command('pause', current)}>
                  {m.runs.pause}
                </button>
              )}
              <button type="button" disabled={busy} onClick={() => void command('trigger', current)}>
                {m.runs.runNow}
              </button>
            </div>
          )}
        </>
      )}
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorNotice error={error} />
    </section>
  );
}

function ScheduleFacts({ schedule }: { schedule: Schedule }) {
  const { m } = useT();
  const spec = schedule.spec;
  const time = `${String(spec.hour ?? 0).padStart(2, '0')}:${String(spec.minute ?? 0).padStart(2, '0')}`;
  return (
    <>
      <p>
        <StateBadge
          state={schedule.paused ? 'SUSPENDED' : 'ACTIVE'}
          label={schedule.paused ? m.runs.paused : m.runs.active}
        />{' '}
        {m.runs.when(String(spec.day_of_month ?? '?'), time, spec.time_zone ?? FUND_TIME_ZONE)}
      </p>
      {schedule.note && (
        <p>
          {m.runs.note} : {schedule.note}
        </p>
      )}
      {schedule.next_run_times.length > 0 && (
        <p>
          {m.runs.nextRuns} :{' '}
          {schedule.next_run_times.slice(0, 3).map((iso, index) => (
            <span key={iso}>
              {index > 0 && ', '}
              <When iso={iso} />
            </span>
          ))}
        </p>
      )}
    </>
  );
}

function CreateSchedule({ onCreated }: { onCreated: () => void }) {
  const { m } = useT();
  const [day, setDay] = useState('5');
  const [hour, setHour] = useState('8');
  const [minute, setMinute] = useState('0');
  const [zone, setZone] = useState(FUND_TIME_ZONE);
  const [error, setError] = useState<unknown>(undefined);
  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      dataOf(
        await api.POST('/api/pension-runs/schedules', {
          body: { day_of_month: Number(day), hour: Number(hour), minute: Number(minute), time_zone: zone.trim() },
        }),
      );
      onCreated();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <form onSubmit={(event) => void submit(event)} class="inline-form">
      <div>
        <label for="schedule-day">{m.runs.day}</label>
        <input
          id="schedule-day"
          type="number"
          min={1}
          max={28}
          required
          value={day}
          onInput={(event) => setDay(event.currentTarget.value)}
        />
      </div>
      <div>
        <label for="schedule-hour">{m.runs.hour}</label>
        <input
          id="schedule-hour"
          type="number"
          min={0}
          max={23}
          required
          value={hour}
          onInput={(event) => setHour(event.currentTarget.value)}
        />
      </div>
      <div>
        <label for="schedule-minute">{m.runs.minute}</label>
        <input
          id="schedule-minute"
          type="number"
          min={0}
          max={59}
          required
          value={minute}
          onInput={(event) => setMinute(event.currentTarget.value)}
        />
      </div>
      <div>
        <label for="schedule-zone">{m.runs.timeZone}</label>
        <input id="schedule-zone" required value={zone} onInput={(event) => setZone(event.currentTarget.value)} />
      </div>
      <button type="submit">{m.runs.create}</button>
      <ErrorNotice error={error} />
    </form>
  );
}

function RunsTable({ runs }: { runs: Run[] }) {
  const { m, lang } = useT();
  const [shown, setShown] = useState<string | null>(null);
  if (runs.length === 0) return <p class="muted">{m.runs.empty}</p>;
  return (
    <>
      <div class="table-scroll">
        <table>
          <caption class="visually-hidden">{m.runs.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{m.runs.period}</th>
              <th scope="col">{m.runs.state}</th>
              <th scope="col" class="number">
                {m.runs.eligible}
              </th>
              <th scope="col" class="number">
                {m.runs.heldOutCount}
              </th>
              <th scope="col" class="number">
                {m.runs.total}
              </th>
              <th scope="col">{m.runs.bulk}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.period} data-period={run.period}>
                <th scope="row">{formatPeriod(run.period, lang)}</th>
                <td>
                  <StateBadge state={run.state} label={m.runs.states[run.state]} />
                  {run.failure_reason && <span class="hint"> {run.failure_reason}</span>}
                </td>
                <td class="number">{formatCount(run.eligible_count, lang)}</td>
                <td class="number">
                  {run.held_out_count > 0 ? (
                    <button
                      type="button"
                      class="link"
                      aria-expanded={shown === run.period}
                      onClick={() => setShown(shown === run.period ? null : run.period)}
                    >
                      {formatCount(run.held_out_count, lang)} · {m.runs.show}
                    </button>
                  ) : (
                    '0'
                  )}
                </td>
                <td class="number">
                  <Amount value={run.total_amount} currency={run.currency ?? ''} />
                </td>
                <td>
                  {run.bulk_id ? (
                    <Link href={paths.bulk(run.bulk_id)}>
                      {m.bulkStates[run.bulk_state ?? ''] ?? run.bulk_id.slice(0, 8)}
                    </Link>
                  ) : (
                    m.common.none
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown && <HeldOut period={shown} />}
    </>
  );
}

function HeldOut({ period }: { period: string }) {
  const { m, lang } = useT();
  const run = useAsync(
    async () => dataOf(await api.GET('/api/pension-runs/{period}', { params: { path: { period } } })),
    [period],
  );
  return (
    <section class="card" aria-labelledby="held-out-title">
      <h3 id="held-out-title">{m.runs.heldOutTitle(formatPeriod(period, lang))}</h3>
      {run.loading && !run.data && <Loading />}
      <ErrorNotice error={run.error} />
      {run.data && run.data.held_out.length === 0 && <p>{m.runs.heldOutNone}</p>}
      {run.data && run.data.held_out.length > 0 && (
        <ul class="plain">
          {run.data.held_out.map((entry) => (
            <li key={entry.beneficiary_id}>
              <Link href={paths.beneficiary(entry.beneficiary_id)}>{entry.full_name}</Link> ({entry.party_identifier}) —{' '}
              {m.runs.reasons[entry.reason] ?? entry.reason}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
