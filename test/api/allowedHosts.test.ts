/** ALLOWED_HOSTS on the real app: a Host header outside the list is refused before any route runs. */
import request from 'supertest';
import { closeDb } from '../support/database';
import { createTestApp } from '../support/fixtures';

describe('ALLOWED_HOSTS', () => {
  afterAll(closeDb);
  const { server } = createTestApp({ ALLOWED_HOSTS: 'paiements.cnss.bj,localhost' });

  it('answers a listed host, whatever its case and port', async () => {
    await request(server)
      .post('/api/auth/login')
      .set('Host', 'Paiements.CNSS.bj:8443')
      .send({})
      .expect(400)
      .expect((res) => {
        expect(res.body.error.code).toBe('validation_error'); // the route ran: its own refusal of the empty body
      });
    await request(server).get('/metrics').set('Host', 'localhost:8000').expect(200);
  });

  it('refuses another host with 400 invalid_host, before the route runs', async () => {
    for (const host of ['evil.example', 'paiements.cnss.bj.evil.example', '127.0.0.1:8000']) {
      const res = await request(server)
        .post('/api/auth/login')
        .set('Host', host)
        .send({ email: 'a@b.c', password: 'x' })
        .expect(400);
      expect(res.body.error.code).toBe('invalid_host');
    }
  });

  it('is not fooled by X-Forwarded-Host', async () => {
    const res = await request(server)
      .get('/metrics')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'paiements.cnss.bj')
      .expect(400);
    expect(res.body.error.code).toBe('invalid_host');
  });

  it('lets the health probes answer whatever the Host (orchestrators call them by IP)', async () => {
    await request(server).get('/healthz').set('Host', '10.0.3.7:8000').expect(200, { status: 'ok' });
  });

  it('checks nothing when the list is empty', async () => {
    const open = createTestApp({ ALLOWED_HOSTS: '' });
    await request(open.server).get('/metrics').set('Host', 'anything.example').expect(200);
  });
});
