import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import Router from '@koa/router';
import Koa from 'koa';
import { Histogram, Registry } from 'prom-client';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { httpMetrics } from '../../src/api/middleware/httpMetrics';
import { lazyTemporalClient } from '../../src/clients/temporal';
import { buildConfig, config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { isAuthorizedScrape } from '../../src/metrics/scrapeAuth';
import { installTemporalRuntimeTelemetry } from '../../src/metrics/temporalTelemetry';
import { observeMojaloopCall, timeMojaloopCall } from '../../src/metrics/workerMetrics';
import { startWorkerMetricsServer } from '../../src/worker/metricsServer';
import { freePort } from '../../temporal/devServer';
import { fundForTest } from '../support/accountFunding';

/** The value of one sample in Prometheus text, e.g. sample(text, 'x_total', {a: '1'}); undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter((pair) => pair.length > 0);
    if (wanted.length === present.length && wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

async function insertOrganizationWithAccount(): Promise<{ organizationId: number; accountId: number }> {
  const suffix = randomBytes(4).toString('hex');
  const [organization] = await db()('organizations')
    .insert({ code: `MET-${suffix}`, name: `Metrics ${suffix}` })
    .returning('id');
  const [account] = await db()('accounts')
    .insert({
      account_id: `metrics-${suffix}`,
      organization_id: organization.id,
      party_id_type: 'MSISDN',
      party_identifier: `2290100${suffix.slice(0, 4)}`,
      currency: 'XOF',
    })
    .returning('id');
  await fundForTest(db(), account.id, 100_000_000n);
  return { organizationId: organization.id, accountId: account.id };
}

async function insertBulk(
  owner: { organizationId: number; accountId: number },
  state: string,
  transfers: { status: string; failure_code?: string }[],
): Promise<string> {
  const bulkId = randomUUID();
  await db()('bulk_transfers').insert({
    bulk_id: bulkId,
    organization_id: owner.organizationId,
    payer_account_id: owner.accountId,
    total_amount: String(1000 * Math.max(transfers.length, 1)),
    currency: 'XOF',
    state,
    transfers_count: transfers.length,
  });
  if (transfers.length > 0) {
    await db()('individual_transfers').insert(
      transfers.map((transfer, index) => ({
        transfer_id: randomUUID(),
        bulk_id: bulkId,
        line_number: index + 1,
        payee_party_id_type: 'MSISDN',
        payee_party_identifier: `22997${String(index).padStart(6, '0')}`,
        amount: '1000',
        currency: 'XOF',
        status: transfer.status,
        failure_code: transfer.failure_code ?? null,
      })),
    );
  }
  return bulkId;
}

describe('API metrics', () => {
  afterAll(closeDb);

  const app = () =>
    createApp({ config: config(), db: db(), temporal: lazyTemporalClient(config().temporal) }).callback();

  it('serves the Prometheus text format with process metrics and HTTP latency by matched route', async () => {
    const server = app();
    await request(server).get('/healthz').expect(200);
    await request(server).get('/api/no/such/path/12345').expect(404);
    const bulkId = randomUUID();
    await request(server).get(`/api/bulk-transfers/${bulkId}/report.csv`).expect(401);

    const scrape = await request(server).get('/metrics').expect(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    // Served (the process's default metrics); its value counts from the registry's creation, in the kernel's CPU
    // ticks, and may still read 0 on a busy machine.
    expect(sample(scrape.text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(
      sample(scrape.text, 'http_request_duration_seconds_count', { method: 'GET', route: '/healthz', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(scrape.text, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    const reportRoute = { method: 'GET', route: '/api/bulk-transfers/:bulk_id/report.csv', status: '401' };
    expect(sample(scrape.text, 'http_request_duration_seconds_count', reportRoute)).toBeGreaterThanOrEqual(1);
    expect(scrape.text).not.toContain(bulkId);
    expect(scrape.text).not.toContain('/no/such/path');
  });

  it('labels a parameterised route with its pattern, never the raw path', async () => {
    const registry = new Registry();
    const histogram = new Histogram({
      name: 'probe_seconds',
      help: 'probe',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    });
    const router = new Router().get('/api/things/:thing_id/details', (ctx) => {
      ctx.status = 204;
    });
    const probe = new Koa().use(httpMetrics(histogram)).use(router.routes());
    await request(probe.callback()).get('/api/things/41/details').expect(204);
    await request(probe.callback()).get('/api/things/42/details').expect(204);

    const text = await registry.metrics();
    expect(
      sample(text, 'probe_seconds_count', { method: 'GET', route: '/api/things/:thing_id/details', status: '204' }),
    ).toBe(2);
    expect(text).not.toContain('/api/things/41');
  });

  it('counts bulks by state and transfers by status and failure code from the database at scrape time', async () => {
    const server = app();
    const failureCode = `TEST_${randomBytes(4).toString('hex')}`;
    const before = (await request(server).get('/metrics').expect(200)).text;

    const owner = await insertOrganizationWithAccount();
    await insertBulk(owner, 'COMPLETED', [
      { status: 'COMPLETED' },
      { status: 'COMPLETED' },
      { status: 'FAILED', failure_code: failureCode },
    ]);
    await insertBulk(owner, 'PROCESSING', [{ status: 'PENDING' }, { status: 'FAILED', failure_code: failureCode }]);
    await insertBulk(owner, 'FAILED', [{ status: 'FAILED' }]);

    const after = (await request(server).get('/metrics').expect(200)).text;
    const delta = (name: string, labels: Record<string, string>) =>
      (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);

    expect(delta('pension_gateway_bulks', { state: 'COMPLETED' })).toBe(1);
    expect(delta('pension_gateway_bulks', { state: 'PROCESSING' })).toBe(1);
    expect(delta('pension_gateway_bulks', { state: 'FAILED' })).toBe(1);
    expect(sample(after, 'pension_gateway_bulks', { state: 'PENDING' })).toBeDefined();
    expect(delta('pension_gateway_transfers', { status: 'COMPLETED', failure_code: '' })).toBe(2);
    expect(delta('pension_gateway_transfers', { status: 'PENDING', failure_code: '' })).toBe(1);
    expect(delta('pension_gateway_transfers', { status: 'FAILED', failure_code: '' })).toBe(1);
    expect(sample(after, 'pension_gateway_transfers', { status: 'FAILED', failure_code: failureCode })).toBe(2);
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const settings = buildConfig({ ...process.env, METRICS_TOKEN: 'scrape-token-for-tests' });
    const server = createApp({
      config: settings,
      db: db(),
      temporal: lazyTemporalClient(settings.temporal),
    }).callback();
    const refused = await request(server).get('/metrics').expect(401);
    expect(refused.body.error.code).toBe('not_authenticated');
    await request(server).get('/metrics').set('Authorization', 'Bearer wrong-token-for-tests').expect(401);
    const scrape = await request(server)
      .get('/metrics')
      .set('Authorization', 'Bearer scrape-token-for-tests')
      .expect(200);
    expect(scrape.text).toContain('http_request_duration_seconds');
  });

  it('compares scrape tokens exactly', () => {
    expect(isAuthorizedScrape(undefined, null)).toBe(true);
    expect(isAuthorizedScrape(undefined, 'abc')).toBe(false);
    expect(isAuthorizedScrape('Bearer abc', 'abc')).toBe(true);
    expect(isAuthorizedScrape('Bearer abcd', 'abc')).toBe(false);
    expect(isAuthorizedScrape('Basic abc', 'abc')).toBe(false);
  });
});

describe('worker metrics server', () => {
  it('serves Mojaloop call latency by step and outcome', async () => {
    const server = await startWorkerMetricsServer(0, { host: '127.0.0.1' });
    try {
      observeMojaloopCall('quote', 'ok', 0.3);
      await expect(timeMojaloopCall('transfer', () => Promise.reject(new Error('socket hang up')))).rejects.toThrow(
        'socket hang up',
      );
      const refusal = await timeMojaloopCall('discover', async () => ({ found: false }), {
        outcomeOf: (result) => (result.found ? 'ok' : 'business_error'),
      });
      expect(refusal).toEqual({ found: false });

      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      const name = 'pension_gateway_mojaloop_call_duration_seconds';
      expect(sample(text, `${name}_count`, { step: 'quote', outcome: 'ok' })).toBe(1);
      expect(sample(text, `${name}_sum`, { step: 'quote', outcome: 'ok' })).toBeCloseTo(0.3);
      expect(sample(text, `${name}_bucket`, { le: '0.25', step: 'quote', outcome: 'ok' })).toBe(0);
      expect(sample(text, `${name}_bucket`, { le: '0.5', step: 'quote', outcome: 'ok' })).toBe(1);
      expect(sample(text, `${name}_count`, { step: 'transfer', outcome: 'unavailable' })).toBe(1);
      expect(sample(text, `${name}_count`, { step: 'discover', outcome: 'business_error' })).toBe(1);
      // Served; counted from the registry's creation in CPU ticks, it may still read 0 (see the API's test above).
      expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);

      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('asks for the bearer token when one is configured, and listens nowhere when disabled', async () => {
    const server = await startWorkerMetricsServer(0, { host: '127.0.0.1', token: 'worker-scrape-token' });
    try {
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(401);
      const allowed = await fetch(`http://127.0.0.1:${server.port}/metrics`, {
        headers: { Authorization: 'Bearer worker-scrape-token' },
      });
      expect(allowed.status).toBe(200);
    } finally {
      await server.close();
    }
    const disabled = await startWorkerMetricsServer(null);
    expect(disabled.port).toBeNull();
    await disabled.close();
  });

  it('reads the worker metrics settings, 0 and empty meaning disabled', () => {
    expect(buildConfig({}).metrics).toEqual({ token: null, workerPort: 9464, temporalBindAddress: null });
    const disabled = buildConfig({ WORKER_METRICS_PORT: '0', TEMPORAL_METRICS_BIND_ADDRESS: ' ' }).metrics;
    expect(disabled.workerPort).toBeNull();
    expect(disabled.temporalBindAddress).toBeNull();
    expect(buildConfig({ TEMPORAL_METRICS_BIND_ADDRESS: '0.0.0.0:9465' }).metrics.temporalBindAddress).toBe(
      '0.0.0.0:9465',
    );
  });
});

describe('Temporal SDK telemetry', () => {
  it('installs nothing when no bind address is configured', () => {
    expect(installTemporalRuntimeTelemetry(null)).toBe(false);
  });

  // Runtime.install works once per process and must precede every connection, so it runs in a child process.
  it('serves the SDK metrics on the bind address once a connection is open', async () => {
    const port = await freePort();
    const script = `
      const { installTemporalRuntimeTelemetry } = require('./src/metrics/temporalTelemetry');
      const { NativeConnection } = require('@temporalio/worker');
      installTemporalRuntimeTelemetry(process.env.BIND_ADDRESS);
      NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS })
        .then(async (connection) => {
          await connection.workflowService.getSystemInfo({});
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          process.stdout.write('ready\\n');
          setInterval(() => undefined, 1000);
        })
        .catch((error) => { console.error(error); process.exit(1); });
    `;
    const child: ChildProcess = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, BIND_ADDRESS: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let errors = '';
        child.stderr?.on('data', (chunk) => (errors += chunk));
        child.stdout?.on('data', (chunk) => String(chunk).includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`child exited with ${code}: ${errors}`)));
      });
      const text = await waitForText(`http://127.0.0.1:${port}/metrics`, (body) => /^temporal_\w+/m.test(body));
      expect(text).toMatch(/^temporal_request\w*\{/m);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

async function waitForText(url: string, ready: (body: string) => boolean, timeoutMs = 15000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await fetch(url)
      .then((response) => response.text())
      .catch(() => '');
    if (ready(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no expected metrics at ${url} after ${timeoutMs} ms; last body: ${last.slice(0, 500)}`);
}
