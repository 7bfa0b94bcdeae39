import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostNameOf } from '../../src/api/middleware/allowedHosts';
import { temporalConnectionOptions } from '../../src/clients/temporalConnection';
import { buildConfig, ConfigError, DEFAULT_SECRET_KEY } from '../../src/config';

describe('configuration', () => {
  const strongSecret = 'x'.repeat(48);
  const metricsToken = 'm'.repeat(32);
  const production = { NODE_ENV: 'production', SECRET_KEY: strongSecret, METRICS_TOKEN: metricsToken };

  it('reads defaults for development', () => {
    const settings = buildConfig({ NODE_ENV: 'development' });
    expect(settings.http.port).toBe(8000);
    expect(settings.auth.accessTokenLifetimeMinutes).toBe(480);
    expect(settings.auth.refreshTokenLifetimeMinutes).toBe(10080);
    expect(settings.mojaloop.maxFeeMinorUnits).toBe(1000n);
  });

  it.each([
    ['missing', undefined],
    ['the default', DEFAULT_SECRET_KEY],
    ['too short', 'short-secret'],
  ])('refuses to start in production when SECRET_KEY is %s', (_label, secret) => {
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
    if (secret !== undefined) env.SECRET_KEY = secret;
    expect(() => buildConfig(env)).toThrow(ConfigError);
  });

  it('refuses http and non-public webhook addresses in production by default, allows them elsewhere', () => {
    expect(buildConfig(production).webhooks.addressPolicy).toEqual({ allowHttp: false, allowPrivateAddresses: false });
    expect(buildConfig({}).webhooks.addressPolicy).toEqual({ allowHttp: true, allowPrivateAddresses: true });
    // An empty value (as .env.example lists it) is the default; an explicit one wins either way.
    expect(
      buildConfig({ ...production, WEBHOOK_ALLOW_HTTP: '', WEBHOOK_ALLOW_PRIVATE_ADDRESSES: '' }).webhooks,
    ).toMatchObject({ addressPolicy: { allowHttp: false, allowPrivateAddresses: false } });
    expect(buildConfig({ ...production, WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' }).webhooks.addressPolicy).toEqual({
      allowHttp: false,
      allowPrivateAddresses: true,
    });
    expect(buildConfig({ NODE_ENV: 'test', WEBHOOK_ALLOW_HTTP: 'false' }).webhooks.addressPolicy.allowHttp).toBe(false);
    expect(buildConfig({ WEBHOOK_DELIVERY_SWEEP_MINUTES: '0' }).webhooks.sweepMinutes).toBeNull();
  });

  it('refuses DEMO_PASSWORD in production', () => {
    expect(() => buildConfig({ ...production, DEMO_PASSWORD: 'x' })).toThrow(/DEMO_PASSWORD/);
  });

  it('starts in production with a strong secret and a metrics token', () => {
    const settings = buildConfig(production);
    expect(settings.isProduction).toBe(true);
    expect(settings.metrics.token).toBe(metricsToken);
  });

  // /metrics is served on the API's public port: production without a token would publish it to anyone.
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too short', 'short-token'],
  ])('refuses to start in production when METRICS_TOKEN is %s', (_label, token) => {
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', SECRET_KEY: strongSecret };
    if (token !== undefined) env.METRICS_TOKEN = token;
    expect(() => buildConfig(env)).toThrow(/METRICS_TOKEN/);
  });

  it('lets development run without a metrics token (metrics then open)', () => {
    expect(buildConfig({ NODE_ENV: 'development' }).metrics.token).toBeNull();
  });

  it('takes the public address from PUBLIC_BASE_URL, or builds the local one from PORT', () => {
    expect(buildConfig({}).http.publicBaseUrl).toBe('http://localhost:8000');
    expect(buildConfig({ PORT: '9000' }).http.publicBaseUrl).toBe('http://localhost:9000');
    expect(buildConfig({ PUBLIC_BASE_URL: 'https://paiements.cnss.bj/' }).http.publicBaseUrl).toBe(
      'https://paiements.cnss.bj',
    );
    expect(() => buildConfig({ PUBLIC_BASE_URL: 'paiements.cnss.bj' })).toThrow(/PUBLIC_BASE_URL/);
  });

  it('rejects malformed values with the variable name', () => {
    expect(() => buildConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => buildConfig({ MOJALOOP_MAX_FEE: '1.5' })).toThrow(/MOJALOOP_MAX_FEE/);
  });
});

describe('ALLOWED_HOSTS', () => {
  it('defaults to the local names, read lower case', () => {
    expect(buildConfig({}).http.allowedHosts).toEqual(['localhost', '127.0.0.1']);
    expect(buildConfig({ ALLOWED_HOSTS: ' Paiements.CNSS.bj , api.example ' }).http.allowedHosts).toEqual([
      'paiements.cnss.bj',
      'api.example',
    ]);
  });

  it('can be emptied, which turns the check off', () => {
    expect(buildConfig({ ALLOWED_HOSTS: '' }).http.allowedHosts).toEqual([]);
  });

  it.each([
    ['api.example', 'api.example'],
    ['API.Example:8000', 'api.example'],
    ['127.0.0.1:8000', '127.0.0.1'],
    ['[::1]:8000', '::1'],
    ['[::1]', '::1'],
    ['', ''],
  ])('compares the host name of %j: %j', (header, name) => {
    expect(hostNameOf(header)).toBe(name);
  });
});

describe('Temporal connection options', () => {
  let dir: string;
  const pem = (name: string) => path.join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-tls-'));
    writeFileSync(pem('client.crt'), 'CLIENT CERT');
    writeFileSync(pem('client.key'), 'CLIENT KEY');
    writeFileSync(pem('ca.crt'), 'PRIVATE CA');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const optionsFor = (env: NodeJS.ProcessEnv) =>
    temporalConnectionOptions(buildConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233', ...env }).temporal);

  it('is plain gRPC by default (the dev server)', () => {
    expect(optionsFor({})).toEqual({ address: 'temporal.internal:7233' });
  });

  it('uses mTLS with the client certificate, the private CA and the server name', () => {
    const options = optionsFor({
      TEMPORAL_TLS_CERT_PATH: pem('client.crt'),
      TEMPORAL_TLS_KEY_PATH: pem('client.key'),
      TEMPORAL_TLS_CA_PATH: pem('ca.crt'),
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
    });
    expect(options.address).toBe('temporal.internal:7233');
    expect(options.apiKey).toBeUndefined();
    expect(options.tls?.serverNameOverride).toBe('frontend.temporal.internal');
    expect(Buffer.from(options.tls!.serverRootCACertificate!).toString()).toBe('PRIVATE CA');
    expect(Buffer.from(options.tls!.clientCertPair!.crt).toString()).toBe('CLIENT CERT');
    expect(Buffer.from(options.tls!.clientCertPair!.key).toString()).toBe('CLIENT KEY');
  });

  it('uses TLS with the system CAs for a Temporal Cloud API key', () => {
    expect(optionsFor({ TEMPORAL_API_KEY: 'cloud-key' })).toEqual({
      address: 'temporal.internal:7233',
      tls: {},
      apiKey: 'cloud-key',
    });
  });

  it('uses TLS without a client certificate when only a CA or TEMPORAL_TLS is given', () => {
    const withCa = optionsFor({ TEMPORAL_TLS_CA_PATH: pem('ca.crt') });
    expect(withCa.tls?.clientCertPair).toBeUndefined();
    expect(Buffer.from(withCa.tls!.serverRootCACertificate!).toString()).toBe('PRIVATE CA');
    expect(optionsFor({ TEMPORAL_TLS: 'true' })).toEqual({ address: 'temporal.internal:7233', tls: {} });
  });

  it('refuses a client certificate without its key, and the other way round', () => {
    expect(() => optionsFor({ TEMPORAL_TLS_CERT_PATH: pem('client.crt') })).toThrow(/TEMPORAL_TLS_KEY_PATH/);
    expect(() => optionsFor({ TEMPORAL_TLS_KEY_PATH: pem('client.key') })).toThrow(ConfigError);
  });

  it('names the variable whose file cannot be read', () => {
    expect(() => optionsFor({ TEMPORAL_TLS_CA_PATH: pem('missing.crt') })).toThrow(/TEMPORAL_TLS_CA_PATH: cannot read/);
  });
});
