import { randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { signAccessToken } from '../../src/auth/tokens';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { User } from '../../src/models';
import {
  authHeader,
  createOrganization,
  createTestApp,
  createUser,
  setOrganizationActive,
  strongPassword,
  uniqueEmail,
} from '../support/fixtures';

/** The app trusts X-Forwarded-For here so each test logs in from its own address: the limiter counts per IP. */
const { app, server } = createTestApp();
app.proxy = true;

let ipSequence = 0;
function freshIp(): string {
  ipSequence += 1;
  return `10.${Math.floor(Math.random() * 250)}.${Math.floor(ipSequence / 250)}.${ipSequence % 250}`;
}

function login(body: object, ip = freshIp()) {
  return request(server).post('/api/auth/login').set('X-Forwarded-For', ip).send(body);
}

async function loggedIn(email: string, password: string): Promise<{ access: string; refresh: string }> {
  const response = await login({ email, password }).expect(200);
  return { access: response.body.access, refresh: response.body.refresh };
}

function refresh(token: string) {
  return request(server).post('/api/auth/token/refresh').send({ refresh: token });
}

function profile(token: string) {
  return request(server).get('/api/auth/profile').set(authHeader(token));
}

function logout(token: string) {
  return request(server).post('/api/auth/logout').set(authHeader(token));
}

/** The login (refresh token family) an access token belongs to. */
function sessionIdOf(access: string): string {
  return (jwt.decode(access) as jwt.JwtPayload).sid as string;
}

/** A new user signed in: what an access token of their login carries. */
async function liveSubject(): Promise<{ userId: number; sessionVersion: number; sessionId: string }> {
  const { user, email, password } = await createUser();
  const { access } = await loggedIn(email, password);
  return { userId: user.id, sessionVersion: user.session_version, sessionId: sessionIdOf(access) };
}

afterAll(closeDb);

describe('POST /api/auth/login', () => {
  it('answers tokens and the user, matching the email case-insensitively, and records last_login', async () => {
    const { user, email, password } = await createUser({ role: 'SUPERVISEUR', firstName: 'Awa', lastName: 'Dossou' });
    expect(user.last_login).toBeNull();

    const response = await login({ email: `  ${email.toUpperCase()} `, password }).expect(200);

    expect(response.body).toEqual({
      access: expect.any(String),
      refresh: expect.any(String),
      user: { id: user.id, email, first_name: 'Awa', last_name: 'Dossou', role: 'SUPERVISEUR' },
    });
    expect(jwt.decode(response.body.access)).toMatchObject({ type: 'access', sub: String(user.id) });
    expect(jwt.decode(response.body.refresh)).toMatchObject({ type: 'refresh', sub: String(user.id) });
    const stored = await User.query().findById(user.id);
    expect(stored?.last_login).toBeInstanceOf(Date);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers the same 401 for a wrong password, an unknown email and an inactive account', async () => {
    const { email, password } = await createUser();
    const inactive = await createUser({ isActive: false });

    const wrongPassword = await login({ email, password: `${password}x` }).expect(401);
    const unknownEmail = await login({ email: uniqueEmail('nobody'), password }).expect(401);
    const inactiveUser = await login({ email: inactive.email, password: inactive.password }).expect(401);

    const expected = {
      error: { code: 'invalid_credentials', message: 'Aucun compte actif ne correspond à ces identifiants.' },
    };
    expect(wrongPassword.body).toEqual(expected);
    expect(unknownEmail.body).toEqual(expected);
    expect(inactiveUser.body).toEqual(expected);
  });

  it('spends the same work on an unknown email as on a wrong password: one argon2id verification with the same parameters', async () => {
    // Not timed (a ratio of durations says nothing on a loaded machine; the figures belong in the bench): the
    // login of an unknown email must verify the password against a hash made like a real one, exactly once.
    const { email } = await createUser();
    const verify = jest.spyOn(argon2, 'verify');
    try {
      await login({ email, password: 'not the password' }).expect(401);
      const wrongPassword = verify.mock.calls.map(([hash]) => hash);
      verify.mockClear();
      await login({ email: uniqueEmail('ghost'), password: 'not the password' }).expect(401);
      const unknownEmail = verify.mock.calls.map(([hash]) => hash);

      const stored = (await db()('users').where('email', email).first('password_hash')).password_hash as string;
      expect(wrongPassword).toEqual([stored]);
      expect(unknownEmail).toHaveLength(1);
      expect(unknownEmail[0]).not.toBe(stored);
      // The same algorithm and cost (memory, passes, lanes): the same work.
      const parameters = (hash: string) => {
        const [, algorithm, version, costs] = hash.split('$');
        return { algorithm, version, ...Object.fromEntries(costs!.split(',').map((pair) => pair.split('='))) };
      };
      expect(parameters(unknownEmail[0]!)).toEqual(parameters(stored));
      expect(parameters(stored)).toEqual({ algorithm: 'argon2id', version: 'v=19', m: '19456', t: '2', p: '1' });
    } finally {
      verify.mockRestore();
    }
  });

  it('answers 400 naming each missing field, without counting an attempt', async () => {
    const response = await login({}).expect(400);
    expect(response.body.error.code).toBe('validation_error');
    expect(Object.keys(response.body.error.details).sort()).toEqual(['email', 'password']);

    const noPassword = await login({ email: uniqueEmail() }).expect(400);
    expect(Object.keys(noPassword.body.error.details)).toEqual(['password']);
    await login({ email: 'x@y.z', password: '' }).expect(400);
    await login(['not', 'an', 'object']).expect(400);
  });

  it('refuses a JSON body larger than REQUEST_BODY_LIMIT_KB', async () => {
    const limitKb = config().http.jsonBodyLimitKb;
    const response = await login({ email: uniqueEmail(), password: 'p'.repeat(limitKb * 1024 + 1) }).expect(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });
});

describe('POST /api/auth/token/refresh', () => {
  it('rotates: answers a new pair, and the new refresh token works in turn', async () => {
    const { email, password } = await createUser();
    const first = await loggedIn(email, password);

    const second = await refresh(first.refresh).expect(200);
    expect(second.body).toEqual({ access: expect.any(String), refresh: expect.any(String) });
    expect(second.body.refresh).not.toBe(first.refresh);
    await profile(second.body.access).expect(200);

    const third = await refresh(second.body.refresh).expect(200);
    await profile(third.body.access).expect(200);
  });

  it('revokes the whole family when an already rotated token is presented again', async () => {
    const { user, email, password } = await createUser();
    const first = await loggedIn(email, password);
    const otherLogin = await loggedIn(email, password);
    const second = await refresh(first.refresh).expect(200);

    const replay = await refresh(first.refresh).expect(401);
    expect(replay.body.error.code).toBe('token_reused');

    // The legitimate holder's newer token is dead too; another login's family is untouched.
    await refresh(second.body.refresh).expect(401);
    await refresh(otherLogin.refresh).expect(200);

    const familyId = (jwt.decode(first.refresh) as jwt.JwtPayload).family as string;
    const family = await db()('refresh_tokens').where({ family_id: familyId });
    expect(family).toHaveLength(2);
    for (const row of family) {
      expect(row.user_id).toBe(user.id);
      expect(row.revoked_at).toBeInstanceOf(Date);
    }
  });

  it('ends the access tokens of a family revoked for reuse at once, and only those', async () => {
    const { email, password } = await createUser();
    const first = await loggedIn(email, password);
    const otherLogin = await loggedIn(email, password);
    // The thief rotates the stolen token first; the holder's later refresh is the reuse.
    const stolen = await refresh(first.refresh).expect(200);
    await profile(stolen.body.access).expect(200);
    expect(sessionIdOf(stolen.body.access)).toBe(sessionIdOf(first.access));

    expect((await refresh(first.refresh).expect(401)).body.error.code).toBe('token_reused');

    for (const access of [stolen.body.access as string, first.access]) {
      const refused = await profile(access).expect(401);
      expect(refused.body.error.code).toBe('token_not_valid');
      expect(refused.body.error.message).toMatch(/session a pris fin/);
    }
    await profile(otherLogin.access).expect(200);
  });

  it('refuses an access token, garbage, and a missing field', async () => {
    const { email, password } = await createUser();
    const tokens = await loggedIn(email, password);
    expect((await refresh(tokens.access).expect(401)).body.error.code).toBe('token_not_valid');
    await refresh('garbage').expect(401);
    expect(
      (await request(server).post('/api/auth/token/refresh').send({}).expect(400)).body.error.details.refresh,
    ).toBeDefined();
  });

  it('refuses the refresh token of a deactivated or deleted user', async () => {
    const deactivated = await createUser();
    const deactivatedTokens = await loggedIn(deactivated.email, deactivated.password);
    await User.query().patch({ is_active: false }).where('id', deactivated.user.id);
    await refresh(deactivatedTokens.refresh).expect(401);

    const deleted = await createUser();
    const deletedTokens = await loggedIn(deleted.email, deleted.password);
    await User.query().deleteById(deleted.user.id);
    await refresh(deletedTokens.refresh).expect(401);
  });
});

describe('access tokens on authenticated routes', () => {
  it('are required', async () => {
    const response = await request(server).get('/api/auth/profile').expect(401);
    expect(response.body.error.code).toBe('not_authenticated');
    await request(server).get('/api/auth/profile').set('Authorization', 'Token abc').expect(401);
  });

  it('refuse a refresh token used as an access token', async () => {
    const { email, password } = await createUser();
    const tokens = await loggedIn(email, password);
    const response = await profile(tokens.refresh).expect(401);
    expect(response.body.error.code).toBe('token_not_valid');
  });

  it('refuse an expired token', async () => {
    const subject = await liveSubject();
    const tenHoursAgo = new Date(Date.now() - 10 * 60 * 60 * 1000);
    const expired = signAccessToken(config().auth, subject, tenHoursAgo);
    expect((await profile(expired).expect(401)).body.error.code).toBe('token_not_valid');
    await profile(signAccessToken(config().auth, subject)).expect(200);
  });

  it("refuse a token of no login, or of a login that is not the user's", async () => {
    const subject = await liveSubject();
    const { sessionId: othersLogin } = await liveSubject();
    const noLogin = jwt.sign({ type: 'access', sub: String(subject.userId), ver: 0 }, config().auth.secretKey, {
      algorithm: config().auth.algorithm,
      expiresIn: 300,
    });
    expect((await profile(noLogin).expect(401)).body.error.code).toBe('token_not_valid');
    await profile(signAccessToken(config().auth, { ...subject, sessionId: othersLogin })).expect(401);
    await profile(signAccessToken(config().auth, { ...subject, sessionId: randomUUID() })).expect(401);
  });

  it('refuse tokens signed with another key, with alg none, with another algorithm, or modified', async () => {
    const subject = await liveSubject();
    const user = { id: subject.userId };
    const claims = { type: 'access', sub: String(user.id), sid: subject.sessionId };
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const valid = signAccessToken(config().auth, subject);
    const [header, , signature] = valid.split('.');
    const now = Math.floor(Date.now() / 1000);
    const other = await createUser();

    const forged = {
      otherKey: jwt.sign(claims, 'a-different-secret-key-of-sufficient-length', { algorithm: 'HS256', expiresIn: 300 }),
      algNone: `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, iat: now, exp: now + 300 })}.`,
      otherAlgorithm: jwt.sign(claims, config().auth.secretKey, { algorithm: 'HS512', expiresIn: 300 }),
      modifiedSubject: `${header}.${part({ ...claims, sub: String(other.user.id), iat: now, exp: now + 300 })}.${signature}`,
    };
    for (const [name, token] of Object.entries(forged)) {
      const response = await profile(token);
      expect({ name, status: response.status }).toEqual({ name, status: 401 });
    }
    const accepted = await profile(valid).expect(200);
    expect(accepted.body.id).toBe(user.id);
  });

  it('stop working at once when the user is deactivated or deleted', async () => {
    const { user, email, password } = await createUser();
    const { access } = await loggedIn(email, password);
    await profile(access).expect(200);

    await User.query().patch({ is_active: false }).where('id', user.id);
    expect((await profile(access).expect(401)).body.error.code).toBe('user_inactive');

    await User.query().deleteById(user.id);
    await profile(access).expect(401);
  });
});

describe('a deactivated organization (organizations.is_active = false)', () => {
  it('refuses its users at login with 401 organization_inactive, only once the password is right', async () => {
    const organization = await createOrganization();
    const { email, password } = await createUser({ organizationId: organization.id });
    const deactivatedUser = await createUser({ organizationId: organization.id, isActive: false });
    await setOrganizationActive(organization.id, false);

    const refused = await login({ email, password }).expect(401);
    expect(refused.body.error.code).toBe('organization_inactive');
    expect(refused.body.error.message).toMatch(/^L'organisation .* désactivée/);
    // A guess learns nothing more than at any other account, and a deactivated user keeps its own answer.
    expect((await login({ email, password: `${password}x` }).expect(401)).body.error.code).toBe('invalid_credentials');
    expect(
      (await login({ email: deactivatedUser.email, password: deactivatedUser.password }).expect(401)).body.error.code,
    ).toBe('invalid_credentials');

    await setOrganizationActive(organization.id, true);
    await login({ email, password }).expect(200);
  });

  it('stops its existing access tokens at once, and reactivating brings them back', async () => {
    const organization = await createOrganization();
    const { user, email, password } = await createUser({ organizationId: organization.id });
    const { access } = await loggedIn(email, password);
    await profile(access).expect(200);

    await setOrganizationActive(organization.id, false);
    expect((await profile(access).expect(401)).body.error.code).toBe('organization_inactive');
    // Every authenticated route, not only the profile.
    const history = await request(server).get('/api/bulk-transfers/history').set(authHeader(access)).expect(401);
    expect(history.body.error.code).toBe('organization_inactive');

    await setOrganizationActive(organization.id, true);
    await profile(access).expect(200);

    // A deactivated user of a deactivated organization is still told user_inactive.
    await User.query().patch({ is_active: false }).where('id', user.id);
    await setOrganizationActive(organization.id, false);
    expect((await profile(access).expect(401)).body.error.code).toBe('user_inactive');
  });

  it('refuses to refresh its tokens, without revoking them: after reactivation the same refresh token works', async () => {
    const organization = await createOrganization();
    const { email, password } = await createUser({ organizationId: organization.id });
    const tokens = await loggedIn(email, password);

    await setOrganizationActive(organization.id, false);
    expect((await refresh(tokens.refresh).expect(401)).body.error.code).toBe('organization_inactive');

    await setOrganizationActive(organization.id, true);
    const rotated = await refresh(tokens.refresh).expect(200);
    await profile(rotated.body.access).expect(200);
  });

  it('leaves users of no organization (platform staff) and of other organizations alone', async () => {
    const staff = await createUser({ organizationId: null, isStaff: true });
    const { access } = await loggedIn(staff.email, staff.password);
    await profile(access).expect(200);
    const other = await createUser();
    await loggedIn(other.email, other.password);
  });
});

describe('GET /api/auth/profile', () => {
  it('answers the user with their organization', async () => {
    const organization = await createOrganization({ name: 'Caisse de Test' });
    const { user, email, password } = await createUser({
      organizationId: organization.id,
      role: 'GESTIONNAIRE',
      isStaff: true,
      phoneNumber: '+22997000123',
      firstName: 'Koffi',
      lastName: 'Agbo',
    });
    const { access } = await loggedIn(email, password);

    const response = await profile(access).expect(200);

    expect(response.body).toEqual({
      id: user.id,
      email,
      first_name: 'Koffi',
      last_name: 'Agbo',
      role: 'GESTIONNAIRE',
      is_staff: true,
      phone_number: '+22997000123',
      must_change_password: false,
      organization: { id: organization.id, code: organization.code, name: 'Caisse de Test' },
    });
    expect(JSON.stringify(response.body)).not.toContain('argon2');
  });
});

describe('POST /api/auth/change-password', () => {
  function changePassword(token: string, body: object) {
    return request(server).post('/api/auth/change-password').set(authHeader(token)).send(body);
  }

  it('changes the password and ends every earlier session, access and refresh tokens alike', async () => {
    const { email, password } = await createUser();
    const session = await loggedIn(email, password);
    const otherDevice = await loggedIn(email, password);
    const newPassword = strongPassword();

    const changed = await changePassword(session.access, { old_password: password, new_password: newPassword }).expect(
      200,
    );

    await refresh(session.refresh).expect(401);
    await refresh(otherDevice.refresh).expect(401);
    for (const oldAccess of [session.access, otherDevice.access]) {
      expect((await profile(oldAccess).expect(401)).body.error.code).toBe('token_not_valid');
    }
    await login({ email, password }).expect(401);
    // The answer carries the session on; a new login works too.
    await profile(changed.body.access).expect(200);
    await refresh(changed.body.refresh).expect(200);
    await profile((await loggedIn(email, newPassword)).access).expect(200);
  });

  it('refuses a wrong old password, a short password, the old password and the email, naming the field', async () => {
    const { email, password } = await createUser();
    const { access } = await loggedIn(email, password);

    const wrongOld = await changePassword(access, {
      old_password: 'wrong-password',
      new_password: strongPassword(),
    }).expect(400);
    expect(Object.keys(wrongOld.body.error.details)).toEqual(['old_password']);

    for (const newPassword of ['short-pw', password, email, email.toUpperCase()]) {
      const response = await changePassword(access, { old_password: password, new_password: newPassword }).expect(400);
      expect(Object.keys(response.body.error.details)).toEqual(['new_password']);
    }
    const missing = await changePassword(access, { old_password: password }).expect(400);
    expect(Object.keys(missing.body.error.details)).toEqual(['new_password']);

    // Nothing changed.
    await loggedIn(email, password);
  });

  it('requires authentication', async () => {
    await request(server).post('/api/auth/change-password').send({ old_password: 'a', new_password: 'b' }).expect(401);
  });
});

describe('users who must change their password', () => {
  it('get 403 password_change_required everywhere but profile and change-password, until they change it', async () => {
    const { email, password } = await createUser({ mustChangePassword: true, isStaff: true });
    const { access } = await loggedIn(email, password);

    const gated = await request(server)
      .post('/api/admin/users/create')
      .set(authHeader(access))
      .send({ email: uniqueEmail(), first_name: 'A', last_name: 'B', role: 'GESTIONNAIRE' })
      .expect(403);
    expect(gated.body.error.code).toBe('password_change_required');
    expect((await profile(access).expect(200)).body.must_change_password).toBe(true);

    const changed = await request(server)
      .post('/api/auth/change-password')
      .set(authHeader(access))
      .send({ old_password: password, new_password: strongPassword() })
      .expect(200);

    await profile(access).expect(401);
    expect((await profile(changed.body.access).expect(200)).body.must_change_password).toBe(false);
    const stored = await User.query().findOne({ email });
    expect(stored?.must_change_password).toBe(false);
  });
});

describe('POST /api/auth/logout', () => {
  it("ends the caller's login at once, access and refresh tokens alike, and leaves the user's other logins alone", async () => {
    const { user, email, password } = await createUser();
    const session = await loggedIn(email, password);
    const rotated = await refresh(session.refresh).expect(200);
    const otherDevice = await loggedIn(email, password);

    await logout(rotated.body.access).expect(204);

    for (const access of [session.access, rotated.body.access as string]) {
      expect((await profile(access).expect(401)).body.error.code).toBe('token_not_valid');
    }
    await refresh(rotated.body.refresh).expect(401);
    await profile(otherDevice.access).expect(200);
    await refresh(otherDevice.refresh).expect(200);

    const audited = await db()('audit_log').where({ kind: 'user.logged_out', subject_id: String(user.id) });
    expect(audited).toEqual([
      expect.objectContaining({
        actor_user_id: user.id,
        actor_email: email,
        organization_id: user.organization_id,
        subject_type: 'user',
        after: { session_id: sessionIdOf(session.access) },
        request_id: expect.any(String),
      }),
    ]);
  });

  it('is open to a user who must still change their temporary password', async () => {
    const { email, password } = await createUser({ mustChangePassword: true });
    const { access } = await loggedIn(email, password);
    await logout(access).expect(204);
    await profile(access).expect(401);
  });

  it('requires a live access token: a second logout with it is 401, and nothing more is recorded', async () => {
    const { user, email, password } = await createUser();
    const { access } = await loggedIn(email, password);
    await logout(access).expect(204);
    expect((await logout(access).expect(401)).body.error.code).toBe('token_not_valid');
    await request(server).post('/api/auth/logout').expect(401);
    expect(await db()('audit_log').where({ kind: 'user.logged_out', subject_id: String(user.id) })).toHaveLength(1);
  });
});
