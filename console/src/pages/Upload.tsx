/**
 * Uploading a pension list. The API checks the whole file first: a refused file comes back as a table of its
 * errors (line, column, message) and nothing is created; a file already sent is named, with a link to its first
 * bulk and a way to pay it again on purpose; an accepted file shows its warnings (same payee, same amount twice)
 * before the user goes on to the bulk.
 */
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { type ApiError, dataOf, toApiError } from '../api/errors';
import { mayPay, type Profile } from '../auth';
import { ErrorNotice, Notice } from '../components/Display';
import { Link } from '../components/Link';
import { formatAmount, formatCount, formatDateTime } from '../format';
import { useT } from '../i18n';
import { navigate, paths } from '../router';
import { useAsync } from '../useAsync';
import { FilePicker, idempotencyKey } from '../components/FilePicker';
import { FileErrors, fileErrorsOf } from '../components/FileErrors';

type Accepted = Schemas['BulkAccepted'];
type CsvIssue = Schemas['CsvIssue'];

interface Duplicate {
  bulkTransferId: string;
  state: string;
  created_at: string;
}

type Outcome =
  | { kind: 'accepted'; answer: Accepted }
  | { kind: 'invalid'; errors: CsvIssue[]; truncated: boolean }
  | { kind: 'duplicate'; first: Duplicate }
  | { kind: 'refused'; error: unknown };

export function UploadPage({ profile }: { profile: Profile }) {
  const { m } = useT();
  const [file, setFile] = useState<File | null>(null);
  const [key, setKey] = useState('');
  const [payer, setPayer] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const accounts = useAsync(
    async () => dataOf(await api.GET('/api/accounts', { params: { query: { limit: 100 } } })).results,
    [],
  );

  if (!mayPay(profile)) return <Notice>{m.upload.notAllowed}</Notice>;

  function choose(chosen: File | null) {
    setFile(chosen);
    // One key per chosen file: sending it again after a lost answer is the same upload, never a second bulk.
    setKey(idempotencyKey());
    setOutcome(null);
  }

  async function send(allowDuplicate: boolean) {
    if (!file) return;
    setBusy(true);
    setOutcome(null);
    try {
      setOutcome(await uploadFile(file, { payer, allowDuplicate, key: allowDuplicate ? `${key}-again` : key }));
    } catch (caught) {
      setOutcome({ kind: 'refused', error: caught });
    } finally {
      setBusy(false);
    }
  }

  if (outcome?.kind === 'accepted') return <AcceptedFile answer={outcome.answer} onAnother={() => choose(null)} />;

  return (
    <>
      <h1>{m.upload.title}</h1>
      <p>{m.upload.intro}</p>
      <form
        class="card"
        onSubmit={(event) => {
          event.preventDefault();
          void send(false);
        }}
      >
        <FilePicker id="upload-file" label={m.upload.file} file={file} onFile={choose} />
        {accounts.data && accounts.data.length > 1 && (
          <>
            <label for="upload-payer">{m.upload.payer}</label>
            <select id="upload-payer" value={payer} onChange={(event) => setPayer(event.currentTarget.value)}>
              {accounts.data.map((account, index) => (
                <option key={account.account_id} value={index === 0 ? '' : account.account_id}>
                  {account.account_id} ({account.currency})
                </option>
              ))}
            </select>
          </>
        )}
        <div class="actions">
          <button type="submit" disabled={!file || busy}>
            {busy ? m.upload.sending : m.upload.submit}
          </button>
        </div>
      </form>
      {outcome?.kind === 'invalid' && <FileErrors errors={outcome.errors} truncated={outcome.truncated} />}
      {outcome?.kind === 'duplicate' && (
        <DuplicateFile first={outcome.first} onAgain={() => void send(true)} busy={busy} />
      )}
      {outcome?.kind === 'refused' && <ErrorNotice error={outcome.error} />}
    </>
  );
}

async function uploadFile(
  file: File,
  options: { payer: string; allowDuplicate: boolean; key: string },
): Promise<Outcome> {
  const form = new FormData();
  form.append('file', file, file.name);
  const query: { allow_duplicate?: boolean; payer_account?: string } = {};
  if (options.allowDuplicate) query.allow_duplicate = true;
  if (options.payer) query.payer_account = options.payer;
  const result = await api.POST('/api/bulk-transfers', {
    params: { query, header: { 'Idempotency-Key': options.key } },
    // The typed body says `{file: string}` (OpenAPI's binary string); the browser sends the FormData as multipart.
    body: form as unknown as { file: string },
  });
  if (result.data) return { kind: 'accepted', answer: result.data };
  const error = toApiError(result.response.status, result.error);
  return outcomeOfRefusal(error);
}

function outcomeOfRefusal(error: ApiError): Outcome {
  const details = error.body.details as Partial<Duplicate> | undefined;
  if (error.code === 'duplicate_file' && details?.bulkTransferId) {
    return {
      kind: 'duplicate',
      first: {
        bulkTransferId: details.bulkTransferId,
        state: details.state ?? '',
        created_at: details.created_at ?? '',
      },
    };
  }
  const invalid = fileErrorsOf(error);
  if (invalid) return { kind: 'invalid', ...invalid };
  return { kind: 'refused', error };
}

function DuplicateFile({ first, onAgain, busy }: { first: Duplicate; onAgain: () => void; busy: boolean }) {
  const { m, lang } = useT();
  return (
    <section class="notice notice-warning" role="alert">
      <h2>{m.upload.duplicateTitle}</h2>
      <p>{m.upload.duplicateText(formatDateTime(first.created_at, lang), m.bulkStates[first.state] ?? first.state)}</p>
      <div class="actions">
        <Link href={paths.bulk(first.bulkTransferId)} class="button secondary">
          {m.upload.duplicateLink}
        </Link>
        <button type="button" class="secondary" onClick={onAgain} disabled={busy}>
          {m.upload.uploadAnyway}
        </button>
      </div>
    </section>
  );
}

function AcceptedFile({ answer, onAnother }: { answer: Accepted; onAnother: () => void }) {
  const { m, lang } = useT();
  return (
    <>
      <h1>{m.upload.acceptedTitle}</h1>
      <Notice tone="success">
        {m.upload.acceptedSummary(
          formatCount(answer.transfers_count, lang),
          formatAmount(answer.total_amount, answer.currency, lang),
        )}
      </Notice>
      {answer.warnings.length > 0 && (
        <section class="notice notice-warning" aria-labelledby="warnings-title">
          <h2 id="warnings-title">{m.upload.warningsTitle}</h2>
          <ul>
            {answer.warnings.map((warning) => (
              <li key={warning.line}>{m.upload.warningDuplicate(warning.line, warning.duplicate_of_line)}</li>
            ))}
          </ul>
          {answer.warnings_truncated && <p>{m.upload.warningsTruncated}</p>}
          <p>{m.upload.warningsNote}</p>
        </section>
      )}
      <div class="actions">
        <button type="button" onClick={() => navigate(paths.bulk(answer.bulkTransferId))}>
          {m.upload.goOn}
        </button>
        <button type="button" class="secondary" onClick={onAnother}>
          {m.upload.another}
        </button>
      </div>
    </>
  );
}
