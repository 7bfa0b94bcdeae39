import { createHash } from 'node:crypto';
import request from 'supertest';
import { closeDb, db } from '../support/database';
import {
  createOrganization,
  createTestApp,
  createUser,
  setOrganizationActive,
  strongPassword,
  uniqueEmail,
} from '../support/fixtures';

const LIMIT = 3;
const WINDOW_SECONDS = 120;
const { app, server } = createTestApp({
  LOGIN_RATE_LIMIT_MAX: String(LIMIT),
  LOGIN_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
});
// Trust X-Forwarded-For so each test chooses the client address the limiter sees.
app.proxy = true;

let ipSequence = 0;
function freshIp(): string {
  ipSequence += 1;
  return `192.168.${200 + Math.floor(Math.random() * 50)}.${ipSequence}`;
}

function login(email: string, password: string, ip: string) {
  return request(server).post('/api/auth/login').set('X-Forwarded-For', ip).send({ email, password });
}

function expectRateLimited(response: request.Response): void {
  expect(response.status).toBe(429);
  expect(response.body.error.code).toBe('rate_limited');
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(response.body.error.details).toEqual({ retry_after_seconds: retryAfter });
}

/** The limiter's key of an email (hashed, src/auth/loginAttemptStore.ts). */
function emailKeyOf(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

afterAll(closeDb);

describe('login rate limiting', () => {
  it('limits failed attempts per email, from any address: past the limit a wrong password is 429', async () => {
    const { email } = await createUser();
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      await login(email, 'wrong password', freshIp()).expect(401);
    }
    expectRateLimited(await login(email, 'wrong password', freshIp()));
    expectRateLimited(await login(email.toUpperCase(), 'another guess', freshIp()));

    // Another account is not affected.
    const other = await createUser();
    await login(other.email, other.password, freshIp()).expect(200);
  });

  it('lets the right password in from another address once guesses from one address filled the email window', async () => {
    const { email, password } = await createUser();
    const guesser = freshIp();
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      await login(email, 'wrong password', guesser).expect(401);
    }
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      expectRateLimited(await login(email, 'wrong password', guesser));
    }
    // The guesser's address is over its own limit: refused before any password is checked, the right one too.
    expectRateLimited(await login(email, password, guesser));

    const signedIn = await login(email.toUpperCase(), password, freshIp()).expect(200);
    expect(signedIn.body.access).toEqual(expect.any(String));
    // A wrong password is still refused as a guess past the limit, whoever sends it.
    expectRateLimited(await login(email, 'wrong password', freshIp()));
  });

  it('tells nothing but a login past the email limit: an unknown email or a deactivated organization is 429 too', async () => {
    const unknown = uniqueEmail('nobody');
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      await login(unknown, 'wrong password', freshIp()).expect(401);
    }
    expectRateLimited(await login(unknown, 'wrong password', freshIp()));

    const organization = await createOrganization();
    const { email, password } = await createUser({ organizationId: organization.id });
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      await login(email, 'wrong password', freshIp()).expect(401);
    }
    await setOrganizationActive(organization.id, false);
    expectRateLimited(await login(email, password, freshIp()));
    await setOrganizationActive(organization.id, true);
    await login(email, password, freshIp()).expect(200);
  });

  it('limits failed attempts per IP, whatever the email', async () => {
    const ip = freshIp();
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      await login(uniqueEmail('spray'), 'wrong password', ip).expect(401);
    }
    const { email, password } = await createUser();
    expectRateLimited(await login(email, password, ip));
    // The same user from elsewhere still logs in.
    await login(email, password, freshIp()).expect(200);
  });

  it('does not count successful logins', async () => {
    const ip = freshIp();
    const { email, password } = await createUser();
    for (let attempt = 0; attempt < LIMIT * 2; attempt += 1) {
      await login(email, password, ip).expect(200);
    }
    await login(email, 'one mistake', ip).expect(401);
    await login(email, password, ip).expect(200);
  });

  it('holds against a burst of parallel guesses', async () => {
    const ip = freshIp();
    const { email } = await createUser();
    const responses = await Promise.all(Array.from({ length: LIMIT + 4 }, () => login(email, 'guess', ip)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(4);
  });

  it('starts a new window once the previous one has elapsed', async () => {
    const ip = freshIp();
    const { email, password } = await createUser();
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      await login(email, 'wrong password', ip).expect(401);
    }
    expectRateLimited(await login(email, password, ip));

    // Age the windows as if WINDOW_SECONDS had passed.
    const emailKey = createHash('sha256').update(email.toLowerCase()).digest('hex');
    const aged = await db()('login_attempts')
      .update({ window_started_at: db().raw(`window_started_at - ? * interval '1 second'`, [WINDOW_SECONDS + 1]) })
      .where({ scope: 'ip', key: ip })
      .orWhere({ scope: 'email', key: emailKey });
    expect(aged).toBe(2);

    await login(email, password, ip).expect(200);
  });
});

describe('login rate limiting with odd client addresses', () => {
  it('copes with an absurd X-Forwarded-For value', async () => {
    const { email, password } = await createUser();
    await login(email, password, `x${'9'.repeat(300)}`).expect(200);
  });
});

describe('change-password rate limiting (the same counters as login)', () => {
  async function signedIn(): Promise<{ email: string; password: string; token: string }> {
    const { email, password } = await createUser();
    const response = await login(email, password, freshIp()).expect(200);
    return { email, password, token: response.body.access as string };
  }

  function changePassword(token: string, oldPassword: string, newPassword: string, ip: string) {
    return request(server)
      .post('/api/auth/change-password')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Forwarded-For', ip)
      .send({ old_password: oldPassword, new_password: newPassword });
  }

  it('counts wrong current passwords, then answers 429 rate_limited to wrong ones, but lets the right one in', async () => {
    const { email, password, token } = await signedIn();
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      const response = await changePassword(token, 'wrong password', strongPassword(), freshIp()).expect(400);
      expect(response.body.error.details).toHaveProperty('old_password');
    }
    expectRateLimited(await changePassword(token, 'wrong password', strongPassword(), freshIp()));
    // The guesses count at login too: they are guesses of the same password.
    expectRateLimited(await login(email, 'wrong password', freshIp()));

    // The user under attack can still change it, from an address that is not over its own limit.
    await changePassword(token, password, strongPassword(), freshIp()).expect(200);
  });

  it('counts them per client address too, whoever the user', async () => {
    const ip = freshIp();
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      const { token } = await signedIn();
      await changePassword(token, 'wrong password', strongPassword(), ip).expect(400);
    }
    const { password, token } = await signedIn();
    expectRateLimited(await changePassword(token, password, strongPassword(), ip));
  });

  it('does not count a right current password, even when the new one is refused', async () => {
    const ip = freshIp();
    const { email, password, token } = await signedIn();
    for (let attempt = 0; attempt < LIMIT * 2; attempt += 1) {
      await changePassword(token, password, password, ip).expect(400); // the new password must differ
    }
    const changed = await changePassword(token, password, strongPassword(), ip).expect(200);
    expect(changed.body.access).toEqual(expect.any(String));
    expect(
      await db()('login_attempts')
        .where({ scope: 'email', key: emailKeyOf(email) })
        .first(),
    ).toMatchObject({ attempts: 0 });
  });
});

describe('the client address behind reverse proxies (TRUSTED_PROXY_HOPS)', () => {
  const limitOf = (hops: string) =>
    createTestApp({
      LOGIN_RATE_LIMIT_MAX: '1',
      LOGIN_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
      TRUSTED_PROXY_HOPS: hops,
    });

  it('is the entry our proxy appended, so a client cannot dodge the limit by forging X-Forwarded-For', async () => {
    const { server: behindOneProxy } = limitOf('1');
    const realClient = freshIp();
    const attempt = (forged: string) =>
      request(behindOneProxy)
        .post('/api/auth/login')
        .set('X-Forwarded-For', `${forged}, ${realClient}`)
        .send({ email: uniqueEmail(), password: 'wrong password' });

    await attempt(freshIp()).expect(401);
    expectRateLimited(await attempt(freshIp()));
  });

  it('is the connection address when no proxy is trusted, whatever the header says', async () => {
    const { server: direct } = limitOf('0');
    const counted = async (): Promise<string[]> =>
      (await db()('login_attempts').where('scope', 'ip').select('key')).map((row: { key: string }) => row.key);
    const forged = freshIp();
    // Other suites may already have spent the limit of 127.0.0.1: 401 or 429, the attempt is counted either way.
    const response = await request(direct)
      .post('/api/auth/login')
      .set('X-Forwarded-For', forged)
      .send({ email: uniqueEmail(), password: 'x' });
    expect([401, 429]).toContain(response.status);
    expect(await counted()).not.toContain(forged);
    expect((await counted()).some((key) => key.endsWith('127.0.0.1'))).toBe(true);
  });
});
