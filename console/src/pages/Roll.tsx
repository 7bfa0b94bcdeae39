/** The pension roll: import a list (GESTIONNAIRE), search it, open a beneficiary. */
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { dataOf, toApiError } from '../api/errors';
import { mayPay, type Profile } from '../auth';
import { Amount, Day, ErrorNotice, Loading, Notice, Pager, StateBadge } from '../components/Display';
import { FileErrors, fileErrorsOf } from '../components/FileErrors';
import { FilePicker } from '../components/FilePicker';
import { Link } from '../components/Link';
import { formatCount } from '../format';
import { useT } from '../i18n';
import { paths } from '../router';
import { useAsync } from '../useAsync';

const STATUSES = ['ACTIVE', 'SUSPENDED', 'DECEASED', 'ENDED'] as const;
type Status = (typeof STATUSES)[number];
const PAGE = 20;

export function RollPage({ profile }: { profile: Profile }) {
  const { m } = useT();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const [offset, setOffset] = useState(0);
  const [imports, setImports] = useState(0);
  const roll = useAsync(async () => {
    const query: { q?: string; status?: Status; limit: number; offset: number } = { limit: PAGE, offset };
    if (q.trim()) query.q = q.trim();
    if (status) query.status = status;
    return dataOf(await api.GET('/api/pension-roll', { params: { query } }));
  }, [q, status, offset, imports]);

  return (
    <>
      <h1>{m.roll.title}</h1>
      {mayPay(profile) && <RollImport onImported={() => setImports((count) => count + 1)} />}
      <form class="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label for="roll-search">{m.roll.search}</label>
          <input
            id="roll-search"
            type="search"
            value={q}
            onChange={(event) => {
              setQ(event.currentTarget.value);
              setOffset(0);
            }}
          />
        </div>
        <div>
          <label for="roll-status">{m.roll.status}</label>
          <select
            id="roll-status"
            value={status}
            onChange={(event) => {
              setStatus(event.currentTarget.value as Status | '');
              setOffset(0);
            }}
          >
            <option value="">{m.common.all}</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {m.roll.statuses[value]}
              </option>
            ))}
          </select>
        </div>
      </form>
      {roll.loading && !roll.data && <Loading />}
      <ErrorNotice error={roll.error} />
      {roll.data && (
        <>
          <BeneficiaryTable beneficiaries={roll.data.results} />
          <Pager total={roll.data.total} limit={PAGE} offset={offset} onPage={setOffset} />
        </>
      )}
    </>
  );
}

function BeneficiaryTable({ beneficiaries }: { beneficiaries: Schemas['Beneficiary'][] }) {
  const { m } = useT();
  if (beneficiaries.length === 0) return <p class="muted">{m.roll.empty}</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">{m.roll.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.roll.name}</th>
            <th scope="col">{m.roll.identifier}</th>
            <th scope="col" class="number">
              {m.roll.monthly}
            </th>
            <th scope="col">{m.roll.status}</th>
            <th scope="col">{m.roll.lastProof}</th>
          </tr>
        </thead>
        <tbody>
          {beneficiaries.map((beneficiary) => (
            <tr key={beneficiary.id}>
              <td>
                <Link href={paths.beneficiary(beneficiary.id)}>{beneficiary.full_name}</Link>
              </td>
              <td class="mono">{beneficiary.party_identifier}</td>
              <td class="number">
                <Amount value={beneficiary.monthly_amount} currency={beneficiary.currency} />
              </td>
              <td>
                <StateBadge state={beneficiary.status} label={m.roll.statuses[beneficiary.status]} />
              </td>
              <td>
                <Day day={beneficiary.last_proof_of_life} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type ImportOutcome =
  | { kind: 'done'; counts: Schemas['RollImportCounts'] }
  | { kind: 'invalid'; errors: Schemas['CsvIssue'][]; truncated: boolean }
  | { kind: 'refused'; error: unknown };

function RollImport({ onImported }: { onImported: () => void }) {
  const { m, lang } = useT();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setOutcome(null);
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      // The typed body is OpenAPI's binary string; the browser sends the FormData as multipart.
      const result = await api.POST('/api/pension-roll/import', { body: form as unknown as { file: string } });
      if (result.data) {
        setOutcome({ kind: 'done', counts: result.data });
        onImported();
      } else {
        const error = toApiError(result.response.status, result.error);
        const invalid = fileErrorsOf(error);
        setOutcome(invalid ? { kind: 'invalid', ...invalid } : { kind: 'refused', error });
      }
    } catch (caught) {
      setOutcome({ kind: 'refused', error: caught });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="roll-import-title">
      <h2 id="roll-import-title">{m.roll.import}</h2>
      <p class="hint">{m.roll.importHelp}</p>
      <form onSubmit={(event) => void submit(event)}>
        <FilePicker id="roll-file" label={m.upload.file} file={file} onFile={setFile} />
        <div class="actions">
          <button type="submit" disabled={!file || busy}>
            {m.roll.importSubmit}
          </button>
        </div>
      </form>
      {outcome?.kind === 'done' && (
        <Notice tone="success">
          {m.roll.imported(
            formatCount(outcome.counts.added, lang),
            formatCount(outcome.counts.updated, lang),
            formatCount(outcome.counts.unchanged, lang),
          )}
        </Notice>
      )}
      {outcome?.kind === 'invalid' && <FileErrors errors={outcome.errors} truncated={outcome.truncated} />}
      {outcome?.kind === 'refused' && <ErrorNotice error={outcome.error} />}
    </section>
  );
}
