/**
 * A bulk: its progress (refreshed while it is open), its lines (paged, filterable by status and failure code,
 * each failure in words), what a user may do with it (approve or reject as the second user, cancel, retry the
 * failed lines) and its downloads (reconciliation report, statement of the paying account).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { dataOf } from '../api/errors';
import { download } from '../api/session';
import { mayApprove, mayPay, type Profile } from '../auth';
import { Amount, ErrorNotice, Loading, Notice, StateBadge, When } from '../components/Display';
import { BulkLines, NO_FILTER, type LineStatus, type LinesQuery } from '../components/BulkLines';
import { formatAmount, formatCount, formatDateTime } from '../format';
import { useT } from '../i18n';
import { useAsync } from '../useAsync';

type Details = Schemas['BulkDetails'];

const OPEN_STATES = new Set(['PENDING', 'AWAITING_APPROVAL', 'PROCESSING']);
/** How often an open bulk is read again: often enough to watch it pay, rare enough for a slow line. */
const REFRESH_MS = 1500;
const LINES_PER_PAGE = 50;

export function BulkPage({ id, profile }: { id: string; profile: Profile }) {
  const { m } = useT();
  const [lines, setLines] = useState<LinesQuery>(NO_FILTER);
  const details = useAsync(async () => {
    const query: { status?: LineStatus; failure_code?: string; limit: number; offset: number } = {
      limit: LINES_PER_PAGE,
      offset: lines.offset,
    };
    if (lines.status) query.status = lines.status;
    if (lines.failureCode.trim()) query.failure_code = lines.failureCode.trim();
    return dataOf(await api.GET('/api/bulk-transfers/{bulk_id}/details', { params: { path: { bulk_id: id }, query } }));
  }, [id, lines.status, lines.failureCode, lines.offset]);
  const bulk = details.data;
  const open = bulk !== undefined && OPEN_STATES.has(bulk.state);

  // While the bulk is open, read it again a moment after each answer (never two reads at once).
  useEffect(() => {
    if (!open || details.loading) return;
    const timer = setTimeout(() => void details.reload(), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [open, details.loading, details.data]);

  if (!bulk) return details.error ? <ErrorNotice error={details.error} /> : <Loading />;
  return (
    <>
      <h1>
        {m.bulk.title} <span class="muted mono">{bulk.bulk_id.slice(0, 8)}</span>{' '}
        <StateBadge state={bulk.state} label={m.bulkStates[bulk.state]} />
      </h1>
      <Progress bulk={bulk} open={open} />
      <Summary bulk={bulk} />
      <Actions bulk={bulk} profile={profile} onChanged={() => void details.reload()} />
      <Downloads bulk={bulk} />
      <BulkLines
        bulk={bulk}
        query={lines}
        limit={LINES_PER_PAGE}
        profile={profile}
        onQuery={setLines}
        onDecided={() => void details.reload()}
      />
    </>
  );
}

function Progress({ bulk, open }: { bulk: Details; open: boolean }) {
  const { m, lang } = useT();
  const stats = bulk.statistics;
  const done = stats.completed + stats.failed;
  const percent = stats.total === 0 ? 0 : Math.floor((done * 100) / stats.total);
  const counts: Array<[string, number]> = [
    [m.bulk.total, stats.total],
    [m.bulk.completed, stats.completed],
    [m.bulk.failed, stats.failed],
    [m.bulk.processing, stats.processing],
    [m.bulk.pending, stats.pending],
  ];
  if (stats.held > 0) counts.push([m.bulk.held, stats.held]);
  if (stats.cancelled > 0) counts.push([m.bulk.cancelledCount, stats.cancelled]);
  return (
    <section aria-labelledby="progress-title" class="card">
      <h2 id="progress-title">{m.bulk.progress}</h2>
      <div class="progress-row">
        <progress
          id="bulk-progress"
          max={100}
          value={percent}
          aria-labelledby="progress-title"
          aria-describedby="progress-text"
        />
        <span id="progress-text" class="progress-text" data-testid="progress-text">
          {m.bulk.progressText(formatCount(percent, lang))}
        </span>
      </div>
      <dl class="counts" data-testid="bulk-counts">
        {counts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{formatCount(value, lang)}</dd>
          </div>
        ))}
      </dl>
      {open && <p class="hint">{m.bulk.live}</p>}
    </section>
  );
}

function userName(user: { email: string } | null | undefined, fallback: string): string {
  return user?.email ?? fallback;
}

function Summary({ bulk }: { bulk: Details }) {
  const { m, lang } = useT();
  const approval = bulk.approval;
  const cancellation = bulk.cancellation;
  return (
    <section aria-labelledby="summary-title" class="card">
      <h2 id="summary-title">{m.bulk.summary}</h2>
      <dl class="facts">
        <dt>{m.bulk.amount}</dt>
        <dd>
          <Amount value={bulk.total_amount} currency={bulk.currency} />
        </dd>
        <dt>{m.bulk.payer}</dt>
        <dd>{bulk.payer_account.account_id}</dd>
        <dt>{m.bulk.createdBy}</dt>
        <dd>{userName(bulk.created_by, m.bulk.monthlyRun)}</dd>
        <dt>{m.bulk.createdAt}</dt>
        <dd>
          <When iso={bulk.created_at} />
        </dd>
        {bulk.completed_at && (
          <>
            <dt>{m.bulk.completedAt}</dt>
            <dd>
              <When iso={bulk.completed_at} />
            </dd>
          </>
        )}
        {bulk.failure_reason && (
          <>
            <dt>{m.bulk.failureReason}</dt>
            <dd>{bulk.failure_reason}</dd>
          </>
        )}
        <dt>{m.bulk.approval}</dt>
        <dd data-testid="approval">
          {!approval.required && m.bulk.notRequired}
          {approval.required &&
            approval.approved_at &&
            m.bulk.approvedBy(userName(approval.approved_by, '?'), formatDateTime(approval.approved_at, lang))}
          {approval.required &&
            approval.rejected_at &&
            m.bulk.rejectedBy(
              userName(approval.rejected_by, '?'),
              formatDateTime(approval.rejected_at, lang),
              approval.rejection_reason ?? '',
            )}
          {approval.required &&
            !approval.approved_at &&
            !approval.rejected_at &&
            approval.deadline &&
            m.bulk.approvalWaiting(formatDateTime(approval.deadline, lang))}
        </dd>
      </dl>
      {cancellation && (
        <p>
          {m.bulk.cancellation(
            cancellation.cancelled_by?.email ??
              (cancellation.cancelled_by_operator ? m.bulk.operator(cancellation.cancelled_by_operator) : '?'),
            formatDateTime(cancellation.cancelled_at, lang),
            formatCount(cancellation.cancelled_transfers, lang),
          )}
        </p>
      )}
      {bulk.retry_count > 0 && <p>{m.bulk.retries(formatCount(bulk.retry_count, lang))}</p>}
    </section>
  );
}

function Actions({ bulk, profile, onChanged }: { bulk: Details; profile: Profile; onChanged: () => void }) {
  const { m, lang } = useT();
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<'reject' | 'cancel' | null>(null);
  const [reason, setReason] = useState('');

  const path = { params: { path: { bulk_id: bulk.bulk_id } } };
  const open = OPEN_STATES.has(bulk.state);
  const mine = bulk.created_by?.id === profile.id;
  const decides = bulk.state === 'AWAITING_APPROVAL' && mayApprove(profile) && !mine;
  const cancels = open && mayPay(profile);
  const retries = !open && bulk.statistics.failed > 0 && mayPay(profile);

  async function act(run: () => Promise<string>) {
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      setDone(await run());
      setAsking(null);
      onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const approve = () =>
    act(async () => {
      dataOf(await api.POST('/api/bulk-transfers/{bulk_id}/approve', path));
      return m.bulk.approved;
    });
  const reject = () =>
    act(async () => {
      dataOf(await api.POST('/api/bulk-transfers/{bulk_id}/reject', { ...path, body: { reason: reason.trim() } }));
      return m.bulk.rejected;
    });
  const cancel = () =>
    act(async () => {
      const answer = dataOf(await api.POST('/api/bulk-transfers/{bulk_id}/cancel', path));
      return m.bulk.cancelled(formatCount(answer.cancelled_transfers, lang));
    });
  const retry = () =>
    act(async () => {
      const answer = dataOf(await api.POST('/api/bulk-transfers/{bulk_id}/retry-failed', path));
      const said = answer.state === 'AWAITING_APPROVAL' ? m.bulk.retriedAwaitingApproval : m.bulk.retried;
      return said(
        formatCount(answer.retried_transfers, lang),
        formatAmount(answer.reserved_amount, answer.currency, lang),
      );
    });

  const anything = decides || cancels || retries;
  if (!anything && !done && !error && !(bulk.state === 'AWAITING_APPROVAL' && mine)) return null;
  return (
    <section class="card" aria-label={m.common.details}>
      {bulk.state === 'AWAITING_APPROVAL' && mine && <p>{m.bulk.ownBulk}</p>}
      <div class="actions">
        {decides && (
          <>
            <button type="button" onClick={() => void approve()} disabled={busy}>
              {m.bulk.approve}
            </button>
            <button type="button" class="secondary" onClick={() => setAsking('reject')} disabled={busy}>
              {m.bulk.reject}
            </button>
          </>
        )}
        {cancels && (
          <button type="button" class="danger" onClick={() => setAsking('cancel')} disabled={busy}>
            {m.bulk.cancel}
          </button>
        )}
        {retries && (
          <button type="button" onClick={() => void retry()} disabled={busy}>
            {m.bulk.retry}
          </button>
        )}
      </div>
      {asking === 'reject' && (
        <form
          class="confirm"
          onSubmit={(event) => {
            event.preventDefault();
            void reject();
          }}
        >
          <label for="reject-reason">{m.bulk.rejectReason}</label>
          <textarea
            id="reject-reason"
            required
            maxLength={500}
            value={reason}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
          <div class="actions">
            <button type="submit" class="danger" disabled={busy || reason.trim() === ''}>
              {m.bulk.rejectConfirm}
            </button>
            <button type="button" class="secondary" onClick={() => setAsking(null)}>
              {m.common.cancel}
            </button>
          </div>
        </form>
      )}
      {asking === 'cancel' && (
        <div class="confirm" role="group" aria-labelledby="cancel-title">
          <h3 id="cancel-title">{m.bulk.cancelTitle}</h3>
          <p>{m.bulk.cancelText}</p>
          <div class="actions">
            <button type="button" class="danger" onClick={() => void cancel()} disabled={busy}>
              {m.bulk.cancelConfirm}
            </button>
            <button type="button" class="secondary" onClick={() => setAsking(null)}>
              {m.common.close}
            </button>
          </div>
        </div>
      )}
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorNotice error={error} />
    </section>
  );
}

function Downloads({ bulk }: { bulk: Details }) {
  const { m } = useT();
  const [error, setError] = useState<unknown>(undefined);
  const account = bulk.payer_account.account_id;
  // The statement from the bulk's day (UTC, as the route counts days) to today.
  const from = bulk.created_at.slice(0, 10);
  const save = (path: string, name: string) => {
    setError(undefined);
    download(path, name).catch(setError);
  };
  return (
    <section class="card" aria-labelledby="downloads-title">
      <h2 id="downloads-title">{m.bulk.downloads}</h2>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => save(`/api/bulk-transfers/${bulk.bulk_id}/report.csv`, `bulk-${bulk.bulk_id}-report.csv`)}
        >
          {m.bulk.report}
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() =>
            save(
              `/api/accounts/${encodeURIComponent(account)}/statement?format=csv&from=${from}`,
              `statement-${account}-${from}.csv`,
            )
          }
        >
          {m.bulk.statement}
        </button>
      </div>
      <ErrorNotice error={error} />
    </section>
  );
}
