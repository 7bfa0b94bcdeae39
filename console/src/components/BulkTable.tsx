/** A list of bulks (home, history): each row opens the bulk's page. */
import type { Schemas } from '../api/client';
import { useT } from '../i18n';
import { paths } from '../router';
import { Amount, StateBadge, When } from './Display';
import { Link } from './Link';

export type BulkEntry = Schemas['BulkHistoryEntry'];

export function BulkTable({ bulks, caption }: { bulks: BulkEntry[]; caption: string }) {
  const { m } = useT();
  if (bulks.length === 0) return <p class="muted">{m.bulkTable.empty}</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.bulkTable.created}</th>
            <th scope="col">{m.bulkTable.file}</th>
            <th scope="col">{m.bulkTable.state}</th>
            <th scope="col" class="number">
              {m.bulkTable.lines}
            </th>
            <th scope="col" class="number">
              {m.bulkTable.paid}
            </th>
            <th scope="col" class="number">
              {m.bulkTable.failed}
            </th>
            <th scope="col" class="number">
              {m.bulkTable.total}
            </th>
          </tr>
        </thead>
        <tbody>
          {bulks.map((bulk) => (
            <tr key={bulk.bulk_id}>
              <td>
                <Link href={paths.bulk(bulk.bulk_id)}>
                  <When iso={bulk.created_at} />
                </Link>
              </td>
              <td class="file-name">{bulk.file_name ?? m.bulkTable.noFile}</td>
              <td>
                <StateBadge state={bulk.state} label={m.bulkStates[bulk.state]} />
              </td>
              <td class="number">{bulk.transfers_count}</td>
              <td class="number">{bulk.completed_count}</td>
              <td class="number">{bulk.failed_count}</td>
              <td class="number">
                <Amount value={bulk.total_amount} currency={bulk.currency} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
