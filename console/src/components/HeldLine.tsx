/**
 * A line held by the payee name check: why (the wallet's owner is not the pensioner expected), until when, and for a
 * GESTIONNAIRE or staff user the decision: release it (it is checked again and paid) or reject it with a reason
 * (its amount released). Once decided, who decided and when.
 */
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { dataOf } from '../api/errors';
import { mayApprove, type Profile } from '../auth';
import { formatDateTime } from '../format';
import { useT } from '../i18n';
import { ErrorNotice, Notice } from './Display';

type Line = Schemas['TransferDetail'];

export function HeldLine({
  bulkId,
  line,
  profile,
  onDecided,
}: {
  bulkId: string;
  line: Line;
  profile: Profile;
  onDecided: () => void;
}) {
  const { m, lang } = useT();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const hold = line.hold;
  if (!hold) return null;

  if (hold.decision !== null) {
    return (
      <>
        <p class="hint" data-testid="hold-decision">
          {m.bulk.holdDecision(
            m.bulk.holdDecisions[hold.decision] ?? hold.decision,
            hold.decided_by?.email ?? '—',
            formatDateTime(hold.decided_at, lang),
          )}
        </p>
        {done && <Notice>{done}</Notice>}
      </>
    );
  }
  if (line.status !== 'ON_HOLD') return null;

  const path = { params: { path: { bulk_id: bulkId, line_number: line.line_number } } };
  async function decide(run: () => Promise<string>) {
    setBusy(true);
    setError(undefined);
    try {
      setDone(await run());
      setAsking(false);
      onDecided();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  const release = () =>
    decide(async () => {
      dataOf(await api.POST('/api/bulk-transfers/{bulk_id}/lines/{line_number}/release', path));
      return m.bulk.released;
    });
  const reject = () =>
    decide(async () => {
      dataOf(
        await api.POST('/api/bulk-transfers/{bulk_id}/lines/{line_number}/reject', {
          ...path,
          body: { reason: reason.trim() },
        }),
      );
      return m.bulk.lineRejected;
    });
  const reasonId = `hold-reason-${line.line_number}`;

  return (
    <div class="hold" data-testid="hold">
      <p>{m.bulk.holdWhy}</p>
      <p class="hint">{m.bulk.holdUntil(formatDateTime(hold.deadline, lang))}</p>
      {mayApprove(profile) && !asking && (
        <div class="actions">
          <button type="button" onClick={() => void release()} disabled={busy}>
            {m.bulk.release}
          </button>
          <button type="button" class="danger" onClick={() => setAsking(true)} disabled={busy}>
            {m.bulk.rejectLine}
          </button>
        </div>
      )}
      {asking && (
        <form
          class="actions"
          onSubmit={(event) => {
            event.preventDefault();
            void reject();
          }}
        >
          <label for={reasonId}>{m.bulk.rejectLineReason}</label>
          <input id={reasonId} required value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
          <button type="submit" class="danger" disabled={busy || reason.trim() === ''}>
            {m.bulk.rejectLineConfirm}
          </button>
          <button type="button" class="secondary" onClick={() => setAsking(false)}>
            {m.common.close}
          </button>
        </form>
      )}
      {done && <Notice>{done}</Notice>}
      {error !== undefined && <ErrorNotice error={error} />}
    </div>
  );
}
