import request from 'supertest';
import { createApp } from '../../src/api/app';
import { lazyTemporalClient } from '../../src/clients/temporal';
import { buildConfig, config } from '../../src/config';
import { closeDb, db } from '../support/database';

describe('health endpoints', () => {
  afterAll(closeDb);

  it('answers liveness and readiness against the real Postgres and Temporal', async () => {
    const app = createApp({ config: config(), db: db(), temporal: lazyTemporalClient(config().temporal) });
    const server = app.callback();
    await request(server).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(server).get('/readyz').expect(200);
    expect(ready.body.checks).toEqual({ postgres: 'ok', temporal: 'ok' });
  });

  it('reports Temporal unavailable when it cannot be reached', async () => {
    const settings = buildConfig({ ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const app = createApp({ config: settings, db: db(), temporal: lazyTemporalClient(settings.temporal) });
    const ready = await request(app.callback()).get('/readyz').expect(503);
    expect(ready.body.checks.temporal).toBe('unavailable');
  });
});
