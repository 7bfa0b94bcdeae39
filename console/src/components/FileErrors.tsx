/** The per-line errors of a refused file (an upload or a roll import): nothing was created. */
import type { Schemas } from '../api/client';
import type { ApiError } from '../api/errors';
import { useT } from '../i18n';

type CsvIssue = Schemas['CsvIssue'];

/** The errors of a refused file, when the refusal lists some. */
export function fileErrorsOf(error: ApiError): { errors: CsvIssue[]; truncated: boolean } | null {
  const details = error.body.details as { errors?: CsvIssue[]; errors_truncated?: boolean } | undefined;
  if (!Array.isArray(details?.errors) || details.errors.length === 0) return null;
  return { errors: details.errors, truncated: details.errors_truncated === true };
}

export function FileErrors({ errors, truncated }: { errors: CsvIssue[]; truncated: boolean }) {
  const { m } = useT();
  return (
    <section class="notice notice-error" role="alert" aria-labelledby="file-errors-title">
      <h2 id="file-errors-title">{m.upload.errorsTitle}</h2>
      <div class="table-scroll">
        <table class="file-errors">
          <caption class="visually-hidden">{m.upload.errorsCaption}</caption>
          <thead>
            <tr>
              <th scope="col" class="number">
                {m.upload.line}
              </th>
              <th scope="col">{m.upload.column}</th>
              <th scope="col">{m.upload.message}</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((issue) => (
              <tr key={`${issue.line}-${issue.column ?? ''}-${issue.code}`}>
                <td class="number">{issue.line}</td>
                <td>{issue.column ?? m.upload.wholeLine}</td>
                <td>{issue.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {truncated && <p>{m.upload.errorsTruncated}</p>}
    </section>
  );
}
