/**
 * The peer's own rate: full payments (discover, quote, transfer) called directly with our adapter client at a
 * given concurrency, with no API, Temporal or database in between. The benchmark divides our end-to-end rate by
 * it. Also reports each step's latency.
 *
 *   npx tsx bench/peerDirectRate.ts [adapterUrl] [count] [concurrency]   (against a running peer)
 */
import { SchemeAdapterClient } from '../src/payouts/schemeAdapterClient';

export interface StepLatency {
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface DirectRate {
  payments: number;
  failures: number;
  seconds: number;
  perSecond: number;
  steps: { discover: StepLatency; quote: StepLatency; transfer: StepLatency };
}

export async function measurePeerDirectRate(
  client: SchemeAdapterClient,
  options: { count: number; concurrency: number; payeeFor?: (index: number) => string },
): Promise<DirectRate> {
  const run = `${Date.now().toString(36)}-${process.pid}`;
  const payeeFor =
    options.payeeFor ?? ((index: number) => `2299${String(1_000_000 + (index % 8_000_000)).padStart(7, '0')}`);
  const timings = { discover: [] as number[], quote: [] as number[], transfer: [] as number[] };
  let failures = 0;
  let next = 0;
  const timed = async <T>(into: number[], call: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    const result = await call();
    into.push(Number(process.hrtime.bigint() - started) / 1e6);
    return result;
  };
  const payOne = async (index: number) => {
    try {
      const transfer = await timed(timings.discover, () =>
        client.startTransfer({
          homeTransactionId: `bench-direct-${run}-${index}`,
          from: { idType: 'MSISDN', idValue: '22997000001' },
          to: { idType: 'MSISDN', idValue: payeeFor(index) },
          amount: '45000',
          currency: 'XOF',
        }),
      );
      await timed(timings.quote, () => client.acceptParty(transfer.transferId));
      const confirmed = await timed(timings.transfer, () => client.acceptQuote(transfer.transferId));
      if (confirmed.transferState !== 'COMMITTED') failures += 1;
    } catch {
      failures += 1;
    }
  };
  const started = process.hrtime.bigint();
  const lane = async () => {
    while (next < options.count) await payOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    payments: options.count,
    failures,
    seconds,
    perSecond: (options.count - failures) / seconds,
    steps: { discover: latency(timings.discover), quote: latency(timings.quote), transfer: latency(timings.transfer) },
  };
}

function latency(samples: number[]): StepLatency {
  if (samples.length === 0) return { meanMs: 0, p50Ms: 0, p95Ms: 0, maxMs: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    meanMs: round(sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length),
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    maxMs: round(sorted[sorted.length - 1]!),
  };
}

if (require.main === module) {
  const [url = 'http://127.0.0.1:4001', count = '200', concurrency = '1'] = process.argv.slice(2);
  const client = new SchemeAdapterClient({ baseUrl: url, timeoutMs: 60_000 });
  measurePeerDirectRate(client, { count: Number(count), concurrency: Number(concurrency) })
    .then((rate) => console.log(JSON.stringify(rate, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(() => client.close());
}
