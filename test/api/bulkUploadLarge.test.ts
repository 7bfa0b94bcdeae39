/**
 * A full-size pension list: 100,000 lines (the BULK_MAX_ROWS default), about 3.3 MB. Checks it is accepted and
 * stored exactly. How fast (and the API's peak memory) is the bench's to measure (`npm run bench`, its
 * 100,000-line upload), not a test's: a time limit here would only fail on a loaded machine.
 */
import { closeDb, db } from '../support/database';
import { createBulkTestApp, createFund, CSV_HEADER, snapshot, upload } from '../support/bulkFixtures';

const LINES = 100_000;

const { server, config } = createBulkTestApp();

afterAll(closeDb);

function largeCsv(): { csv: string; total: bigint } {
  const parts: string[] = [CSV_HEADER];
  let total = 0n;
  for (let index = 0; index < LINES; index += 1) {
    const amount = 25_000 + (index % 1000);
    total += BigInt(amount);
    parts.push(`MSISDN,2299${String(index).padStart(8, '0')},XOF,${amount}\r\n`);
  }
  return { csv: parts.join(''), total };
}

describe('a 100,000-line upload', () => {
  it('is stored whole, with every line and the exact total reserved', async () => {
    expect(config.bulk.maxRows).toBeGreaterThanOrEqual(LINES);
    const fund = await createFund(server, { balance: 10n ** 12n });
    const { csv, total } = largeCsv();

    const response = await upload(server, fund.gestionnaire.token, csv).expect(202);

    expect(response.body).toMatchObject({ transfers_count: LINES, total_amount: Number(total), warnings: [] });
    const bulkId: string = response.body.bulkTransferId;
    const stored = await db()('individual_transfers')
      .where('bulk_id', bulkId)
      .first(
        db().raw('count(*)::int as lines'),
        db().raw('sum(amount)::text as total'),
        db().raw('min(line_number) as first'),
        db().raw('max(line_number) as last'),
        db().raw('count(distinct transfer_id)::int as ids'),
      );
    expect(stored).toEqual({ lines: LINES, total: total.toString(), first: 2, last: LINES + 1, ids: LINES });
    expect(await snapshot(fund)).toEqual({
      bulks: 1,
      transfers: LINES,
      reserved: total.toString(),
      balance: (10n ** 12n).toString(),
    });
  }, 120_000);
});
