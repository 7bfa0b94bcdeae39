/**
 * The peer's own rate: full payments (discover, quote, transfer) called directly with our adapter client at a
 * given concurrency, with no API, Temporal or database in between. The benchmark divides our end-to-end rate by it.
 */
import type { SchemeAdapterClient } from '../src/clients/schemeAdapterClient';

export interface DirectRate {
  payments: number;
  seconds: number;
  perSecond: number;
}

export async function measurePeerDirectRate(
  client: SchemeAdapterClient,
  options: { count: number; concurrency: number; payeeFor: (index: number) => string },
): Promise<DirectRate> {
  let next = 0;
  const started = process.hrtime.bigint();
  const payOne = async (index: number) => {
    const transfer = await client.startTransfer({
      homeTransactionId: `bench-direct-${Date.now()}-${index}`,
      from: { idType: 'MSISDN', idValue: '22997000001' },
      to: { idType: 'MSISDN', idValue: options.payeeFor(index) },
      amount: '45000',
      currency: 'XOF',
    });
    await client.acceptParty(transfer.transferId);
    await client.acceptQuote(transfer.transferId);
  };
  const lane = async () => {
    while (next < options.count) await payOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { payments: options.count, seconds, perSecond: options.count / seconds };
}
