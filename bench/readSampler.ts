/**
 * Part 4 of `npm run bench`: a client of its own (a separate process, so the benchmark's polling does not disturb
 * its timings) reading a bulk while it pays, as an operator's screen would: GET /status and GET /details (first
 * page, 100 lines) by turns, one request every SAMPLER_EVERY_MS, each timed from send to the last byte of the body.
 * GET /healthz takes its turn too: the same process and middleware with no database or Temporal call, so its
 * latency is what the machine's load alone costs a request.
 * Runs until its stdin closes, then prints {endpoint: {samples, p50, p99, max, errors}} as JSON on stdout.
 *
 *   SAMPLER_API_URL, SAMPLER_TOKEN, SAMPLER_BULK_ID, SAMPLER_EVERY_MS (default 75)
 */
const apiUrl = required('SAMPLER_API_URL');
const token = required('SAMPLER_TOKEN');
const bulkId = required('SAMPLER_BULK_ID');
const everyMs = Number(process.env.SAMPLER_EVERY_MS ?? 75);

const endpoints = {
  status: `${apiUrl}/api/bulk-transfers/${bulkId}/status`,
  details: `${apiUrl}/api/bulk-transfers/${bulkId}/details`,
  liveness: `${apiUrl}/healthz`,
};
type Endpoint = keyof typeof endpoints;
const timings: Record<Endpoint, number[]> = { status: [], details: [], liveness: [] };
const errors: Record<Endpoint, number> = { status: 0, details: 0, liveness: 0 };

let stopped = false;
process.stdin.on('end', () => (stopped = true));
process.stdin.on('close', () => (stopped = true));
process.stdin.resume();

async function main(): Promise<void> {
  const order: Endpoint[] = ['status', 'details', 'liveness'];
  for (let turn = 0; !stopped; turn += 1) {
    const endpoint = order[turn % order.length]!;
    const started = process.hrtime.bigint();
    try {
      const response = await fetch(endpoints[endpoint], { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (response.ok) timings[endpoint].push(ms);
      else errors[endpoint] += 1;
    } catch {
      errors[endpoint] += 1;
    }
    // A fixed pace from the start of one request to the next; a slow answer is not followed by a burst.
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - elapsed)));
  }
  const summary = Object.fromEntries(
    (Object.keys(endpoints) as Endpoint[]).map((endpoint) => {
      const sorted = [...timings[endpoint]].sort((a, b) => a - b);
      return [
        endpoint,
        {
          samples: sorted.length,
          p50: quantile(sorted, 0.5),
          p99: quantile(sorted, 0.99),
          max: sorted.at(-1) ?? 0,
          errors: errors[endpoint],
        },
      ];
    }),
  );
  process.stdout.write(JSON.stringify(summary));
}

/** Nearest-rank quantile of sorted samples. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
