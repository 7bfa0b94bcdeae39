import { buildConfig, ConfigError, DEFAULT_SECRET_KEY } from '../../src/config';

describe('configuration', () => {
  const strongSecret = 'x'.repeat(48);

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

  it('refuses DEBUG and DEMO_PASSWORD in production', () => {
    expect(() => buildConfig({ NODE_ENV: 'production', SECRET_KEY: strongSecret, DEBUG: 'true' })).toThrow(/DEBUG/);
    expect(() => buildConfig({ NODE_ENV: 'production', SECRET_KEY: strongSecret, DEMO_PASSWORD: 'x' })).toThrow(/DEMO_PASSWORD/);
  });

  it('starts in production with a strong secret', () => {
    expect(buildConfig({ NODE_ENV: 'production', SECRET_KEY: strongSecret }).isProduction).toBe(true);
  });

  it('rejects malformed values with the variable name', () => {
    expect(() => buildConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => buildConfig({ MOJALOOP_MAX_FEE: '1.5' })).toThrow(/MOJALOOP_MAX_FEE/);
  });
});
