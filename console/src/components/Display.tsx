/** Small pieces every page shows the same way: amounts, dates, states, notices, errors. */
import type { ComponentChildren } from 'preact';
import type { MinorUnits } from '../api/client';
import { ApiError } from '../api/errors';
import { formatAmount, formatDateTime, formatDay } from '../format';
import { useT } from '../i18n';

export function Amount({
  value,
  currency,
}: {
  value: MinorUnits | null | undefined;
  currency: string | null | undefined;
}) {
  const { lang, m } = useT();
  if (value === null || value === undefined) return <>{m.common.none}</>;
  return <span class="amount">{formatAmount(value, currency ?? '', lang)}</span>;
}

export function When({ iso }: { iso: string | null | undefined }) {
  const { lang } = useT();
  return <time dateTime={iso ?? undefined}>{formatDateTime(iso, lang)}</time>;
}

export function Day({ day }: { day: string | null | undefined }) {
  const { lang } = useT();
  return <time dateTime={day ?? undefined}>{formatDay(day, lang)}</time>;
}

/** A state in words, with a symbol and a colour that only repeat what the words say. */
const TONES: Record<string, { tone: string; symbol: string }> = {
  PENDING: { tone: 'waiting', symbol: '…' },
  AWAITING_APPROVAL: { tone: 'attention', symbol: '!' },
  PROCESSING: { tone: 'running', symbol: '↻' },
  ON_HOLD: { tone: 'attention', symbol: '!' },
  COMPLETED: { tone: 'good', symbol: '✓' },
  FAILED: { tone: 'bad', symbol: '✕' },
  ACTIVE: { tone: 'good', symbol: '✓' },
  SUSPENDED: { tone: 'attention', symbol: '!' },
  DECEASED: { tone: 'neutral', symbol: '†' },
  ENDED: { tone: 'neutral', symbol: '–' },
};

export function StateBadge({ state, label }: { state: string; label: string | undefined }) {
  const look = TONES[state] ?? { tone: 'neutral', symbol: '•' };
  return (
    <span class={`badge badge-${look.tone}`} data-state={state}>
      <span aria-hidden="true">{look.symbol} </span>
      {label ?? state}
    </span>
  );
}

export function Notice({
  children,
  tone = 'info',
}: {
  children: ComponentChildren;
  tone?: 'info' | 'success' | 'warning';
}) {
  return (
    <div class={`notice notice-${tone}`} role="status">
      {children}
    </div>
  );
}

/** An error in the user's language: ours for the codes we know, otherwise the API's own message. */
export function ErrorNotice({ error }: { error: unknown }) {
  const { m } = useT();
  if (error === undefined || error === null) return null;
  return (
    <div class="notice notice-error" role="alert">
      <p>{errorText(error, m)}</p>
      <FieldProblems error={error} />
    </div>
  );
}

function errorText(error: unknown, m: ReturnType<typeof useT>['m']): string {
  if (error instanceof ApiError) return m.errors[error.code] ?? (error.message || m.unknownError(error.code));
  if (error instanceof TypeError) return m.errors.network_error!;
  return m.unknownError(String(error));
}

/** A validation error's per-field messages (`{"field": ["problem", ...]}`), when it has some. */
function FieldProblems({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || error.code !== 'validation_error') return null;
  const details = error.body.details;
  if (typeof details !== 'object' || details === null) return null;
  const problems = Object.values(details as Record<string, unknown>).flatMap((value) =>
    Array.isArray(value) ? value.map(String) : [],
  );
  if (problems.length === 0) return null;
  return (
    <ul>
      {problems.map((problem) => (
        <li key={problem}>{problem}</li>
      ))}
    </ul>
  );
}

export function Loading() {
  const { m } = useT();
  return (
    <p class="loading" role="status">
      {m.common.loading}
    </p>
  );
}

export function Pager({
  total,
  limit,
  offset,
  onPage,
}: {
  total: number;
  limit: number;
  offset: number;
  onPage: (offset: number) => void;
}) {
  const { m, lang } = useT();
  if (total <= limit && offset === 0) return null;
  const numbers = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB');
  const last = Math.min(offset + limit, total);
  return (
    <nav
      class="pager"
      aria-label={m.common.range(numbers.format(offset + 1), numbers.format(last), numbers.format(total))}
    >
      <button type="button" onClick={() => onPage(Math.max(0, offset - limit))} disabled={offset === 0}>
        {m.common.previous}
      </button>
      <span>
        {m.common.range(numbers.format(total === 0 ? 0 : offset + 1), numbers.format(last), numbers.format(total))}
      </span>
      <button type="button" onClick={() => onPage(offset + limit)} disabled={last >= total}>
        {m.common.next}
      </button>
    </nav>
  );
}
