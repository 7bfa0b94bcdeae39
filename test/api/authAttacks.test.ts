/**
 * Attacks on authentication and tenancy, on EVERY route the API serves (auth.test.ts checks the token rules on
 * /api/auth/profile; here they are applied to each protected route): no token, forged or stale tokens, the
 * wrong role, another organization's ids (404, nothing of theirs in the body), and SQL-looking filter values
 * (400 invalid_filter, or for free text an own-organization answer matching nothing; never a 500; every table
 * still there with exactly its rows).
 */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { signAccessToken } from '../../src/auth/tokens';
import { closeDb, db } from '../support/database';
import { User } from '../../src/models';
import { createBulkTestApp, createFund, csvOfLines, type Fund, upload } from '../support/bulkFixtures';
import { authHeader, createUser, loginAs } from '../support/fixtures';

const { server, config } = createBulkTestApp();

type Method = 'get' | 'post' | 'delete';
interface Route {
  method: Method;
  path: string;
  /** Whom the route refuses with 403 (before reading any body). */
  forbidden: Array<'GESTIONNAIRE' | 'SUPERVISEUR'>;
}

/** The login (refresh token family) an access token belongs to. */
function sessionIdOf(access: string): string {
  return (jwt.decode(access) as jwt.JwtPayload).sid as string;
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
/** Every route behind authentication, from src/api/routes/*. Ids are placeholders: authentication comes first. */
const PROTECTED_ROUTES: Route[] = [
  { method: 'get', path: '/api/auth/profile', forbidden: [] },
  { method: 'post', path: '/api/auth/change-password', forbidden: [] },
  { method: 'post', path: '/api/auth/logout', forbidden: [] },
  { method: 'post', path: '/api/admin/users/create', forbidden: ['GESTIONNAIRE', 'SUPERVISEUR'] },
  { method: 'post', path: '/api/bulk-transfers', forbidden: ['SUPERVISEUR'] },
  { method: 'get', path: '/api/bulk-transfers/history', forbidden: [] },
  { method: 'get', path: `/api/bulk-transfers/${UNKNOWN_ID}/details`, forbidden: [] },
  { method: 'get', path: `/api/bulk-transfers/${UNKNOWN_ID}/status`, forbidden: [] },
  { method: 'get', path: `/api/bulk-transfers/${UNKNOWN_ID}/report.csv`, forbidden: [] },
  { method: 'get', path: `/api/bulk-transfers/${UNKNOWN_ID}/report.json`, forbidden: [] },
  { method: 'post', path: '/api/pension-roll/import', forbidden: ['SUPERVISEUR'] },
  { method: 'get', path: '/api/pension-roll', forbidden: [] },
  { method: 'get', path: '/api/pension-roll/1', forbidden: [] },
  { method: 'post', path: '/api/pension-roll/1/status', forbidden: ['SUPERVISEUR'] },
  { method: 'post', path: '/api/pension-roll/1/proof-of-life', forbidden: ['SUPERVISEUR'] },
  { method: 'post', path: '/api/pension-runs/schedules', forbidden: ['SUPERVISEUR'] },
  { method: 'get', path: '/api/pension-runs/schedules', forbidden: [] },
  { method: 'get', path: '/api/pension-runs/schedules/pension-run-X', forbidden: [] },
  { method: 'post', path: '/api/pension-runs/schedules/pension-run-X/pause', forbidden: ['SUPERVISEUR'] },
  { method: 'post', path: '/api/pension-runs/schedules/pension-run-X/resume', forbidden: ['SUPERVISEUR'] },
  { method: 'post', path: '/api/pension-runs/schedules/pension-run-X/trigger', forbidden: ['SUPERVISEUR'] },
  { method: 'delete', path: '/api/pension-runs/schedules/pension-run-X', forbidden: ['SUPERVISEUR'] },
  { method: 'get', path: '/api/pension-runs', forbidden: [] },
  { method: 'get', path: '/api/pension-runs/2026-11', forbidden: [] },
];

const call = (route: Route, token?: string): request.Test => {
  const test = request(server)[route.method](route.path);
  return token === undefined ? test : test.set(authHeader(token));
};

let fund: Fund;
let outsider: Fund;
let staffToken: string;
let bulkId: string;
let beneficiaryId: number;

beforeAll(async () => {
  fund = await createFund(server, { balance: 10_000_000n });
  outsider = await createFund(server, { balance: 10_000_000n });
  const staff = await createUser({ organizationId: null, role: 'GESTIONNAIRE', isStaff: true });
  staffToken = await loginAs(server, staff.email, staff.password);
  bulkId = (await upload(server, fund.gestionnaire.token, csvOfLines(2)).expect(202)).body.bulkTransferId;
  const roll =
    'type_id,valeur_id,nom_complet,devise,montant_mensuel,statut,derniere_preuve_de_vie,date_debut,date_fin\n' +
    'MSISDN,22961777001,Secret Pensionné,XOF,45000,ACTIVE,2026-01-10,,\n';
  await request(server)
    .post('/api/pension-roll/import')
    .set(authHeader(fund.gestionnaire.token))
    .attach('file', Buffer.from(roll), 'roll.csv')
    .expect(200);
  beneficiaryId = (await db()('beneficiaries').where('organization_id', fund.organization.id).first('id')).id;
});

afterAll(async () => {
  await closeDb();
});

describe('every protected route refuses a missing or bad token with 401', () => {
  let tokens: Record<string, string>;
  beforeAll(async () => {
    const claims = { type: 'access', sub: String(fund.gestionnaire.id), sid: sessionIdOf(fund.gestionnaire.token) };
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const deactivated = await createUser({ organizationId: fund.organization.id, role: 'GESTIONNAIRE' });
    const deleted = await createUser({ organizationId: fund.organization.id, role: 'GESTIONNAIRE' });
    const deactivatedToken = await loginAs(server, deactivated.email, deactivated.password);
    const deletedToken = await loginAs(server, deleted.email, deleted.password);
    await User.query(db()).patch({ is_active: false }).where('id', deactivated.user.id);
    await User.query(db()).deleteById(deleted.user.id);
    const signedOut = await createUser({ organizationId: fund.organization.id, role: 'GESTIONNAIRE' });
    const loggedOut = await loginAs(server, signedOut.email, signedOut.password);
    await request(server).post('/api/auth/logout').set(authHeader(loggedOut)).expect(204);
    const refreshed = await createUser({ organizationId: fund.organization.id });
    const pair = (
      await request(server)
        .post('/api/auth/login')
        .send({ email: refreshed.email, password: refreshed.password })
        .expect(200)
    ).body;
    tokens = {
      algNone: `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, iat: now, exp: now + 300 })}.`,
      wrongKey: jwt.sign(claims, 'another-secret-key-that-is-long-enough-1234', { algorithm: 'HS256', expiresIn: 300 }),
      expired: signAccessToken(
        config.auth,
        { userId: fund.gestionnaire.id, sessionVersion: 0, sessionId: sessionIdOf(fund.gestionnaire.token) },
        new Date(Date.now() - 24 * 3600 * 1000),
      ),
      loggedOut,
      deactivatedUser: deactivatedToken,
      deletedUser: deletedToken,
      refreshAsAccess: pair.refresh,
      garbage: 'not.a.jwt',
    };
  });

  it.each(PROTECTED_ROUTES.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
    '%s',
    async (_name, route) => {
      const statuses: Record<string, number> = { none: (await call(route)).status };
      for (const [name, token] of Object.entries(tokens)) statuses[name] = (await call(route, token)).status;
      const expected = Object.fromEntries(Object.keys(statuses).map((name) => [name, 401]));
      expect(statuses).toEqual(expected);
    },
  );

  it('a refresh token, once rotated, is refused when presented again (reuse)', async () => {
    const user = await createUser({ organizationId: fund.organization.id });
    const first = (
      await request(server).post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200)
    ).body;
    await request(server).post('/api/auth/token/refresh').send({ refresh: first.refresh }).expect(200);
    const reused = await request(server).post('/api/auth/token/refresh').send({ refresh: first.refresh });
    expect(reused.status).toBe(401);
  });
});

describe('roles', () => {
  const forbiddenCases = PROTECTED_ROUTES.flatMap((route) =>
    route.forbidden.map((role) => [role, `${route.method.toUpperCase()} ${route.path}`, route] as const),
  );
  it.each(forbiddenCases)('%s may not %s: 403', async (role, _name, route) => {
    const token = role === 'GESTIONNAIRE' ? fund.gestionnaire.token : fund.superviseur.token;
    const response = await call(route, token);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('permission_denied');
  });

  it('staff may reach the admin route (past authorisation: a bad body is a 400, not a 403)', async () => {
    const response = await request(server).post('/api/admin/users/create').set(authHeader(staffToken)).send({});
    expect(response.status).toBe(400);
  });
});

describe("another organization's ids answer 404 and disclose nothing", () => {
  const leaks = (body: unknown): boolean => {
    const text = JSON.stringify(body);
    return (
      text.includes(bulkId) ||
      text.includes('22961777001') ||
      text.includes('Secret Pensionn') ||
      text.includes(fund.organization.code)
    );
  };

  it('bulk ids: details, status, reports', async () => {
    for (const suffix of ['details', 'status', 'report.csv', 'report.json']) {
      for (const token of [outsider.gestionnaire.token, outsider.superviseur.token]) {
        const response = await request(server).get(`/api/bulk-transfers/${bulkId}/${suffix}`).set(authHeader(token));
        expect({ suffix, status: response.status }).toEqual({ suffix, status: 404 });
        expect(leaks(response.body) || leaks(response.text)).toBe(false);
      }
      // The owner does see it: the 404 above is about the organization, not the id.
      expect(
        (await request(server).get(`/api/bulk-transfers/${bulkId}/${suffix}`).set(authHeader(fund.superviseur.token)))
          .status,
      ).toBe(200);
    }
  });

  it('bulk ids are not in the other organization history', async () => {
    const response = await request(server)
      .get('/api/bulk-transfers/history')
      .set(authHeader(outsider.superviseur.token))
      .expect(200);
    expect(leaks(response.body)).toBe(false);
  });

  it('beneficiary ids: read, status, proof of life', async () => {
    const token = outsider.gestionnaire.token;
    const attempts = [
      request(server).get(`/api/pension-roll/${beneficiaryId}`).set(authHeader(token)),
      request(server)
        .post(`/api/pension-roll/${beneficiaryId}/status`)
        .set(authHeader(token))
        .send({ status: 'SUSPENDED' }),
      request(server)
        .post(`/api/pension-roll/${beneficiaryId}/proof-of-life`)
        .set(authHeader(token))
        .send({ date: '2026-11-01' }),
    ];
    for (const attempt of attempts) {
      const response = await attempt;
      expect(response.status).toBe(404);
      expect(leaks(response.body)).toBe(false);
    }
    await request(server).get(`/api/pension-roll/${beneficiaryId}`).set(authHeader(fund.superviseur.token)).expect(200);
    const list = await request(server).get('/api/pension-roll').set(authHeader(token)).expect(200);
    expect(leaks(list.body)).toBe(false);
    expect(await db()('beneficiaries').where('id', beneficiaryId).first('status', 'last_proof_of_life')).toMatchObject({
      status: 'ACTIVE',
    });
  });

  it('schedule ids: read, pause, resume, trigger, delete', async () => {
    const created = await request(server)
      .post('/api/pension-runs/schedules')
      .set(authHeader(fund.gestionnaire.token))
      .send({ day_of_month: 28, hour: 3, minute: 0 })
      .expect(201);
    const scheduleId: string = created.body.schedule_id;
    const token = outsider.gestionnaire.token;
    try {
      const attempts = [
        request(server).get(`/api/pension-runs/schedules/${scheduleId}`).set(authHeader(token)),
        request(server).post(`/api/pension-runs/schedules/${scheduleId}/pause`).set(authHeader(token)).send({}),
        request(server).post(`/api/pension-runs/schedules/${scheduleId}/resume`).set(authHeader(token)).send({}),
        request(server).post(`/api/pension-runs/schedules/${scheduleId}/trigger`).set(authHeader(token)).send({}),
        request(server).delete(`/api/pension-runs/schedules/${scheduleId}`).set(authHeader(token)),
      ];
      for (const attempt of attempts) {
        const response = await attempt;
        expect(response.status).toBe(404);
        expect(leaks(response.body)).toBe(false);
      }
      const own = await request(server)
        .get(`/api/pension-runs/schedules/${scheduleId}`)
        .set(authHeader(fund.superviseur.token))
        .expect(200);
      expect(own.body.paused).toBe(false); // the outsider's pause did nothing
    } finally {
      await request(server)
        .delete(`/api/pension-runs/schedules/${scheduleId}`)
        .set(authHeader(fund.gestionnaire.token));
    }
  });
});

describe('SQL-looking filter values', () => {
  const TABLES = [
    'users',
    'organizations',
    'accounts',
    'bulk_transfers',
    'individual_transfers',
    'beneficiaries',
    'refresh_tokens',
  ];
  const rowCounts = async (): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const [row] = await db()(table).count<{ count: string }[]>('* as count');
      counts[table] = Number(row!.count);
    }
    return counts;
  };
  let countsBefore: Record<string, number>;
  beforeAll(async () => {
    countsBefore = await rowCounts();
  });

  const INJECTIONS = ["' OR 1=1 --", '1; drop table users', "%' union select * from users --", "1' OR '1'='1"];
  const FILTERS: Array<[string, string[]]> = [
    ['/api/bulk-transfers/history', ['state', 'start_date', 'end_date', 'limit', 'offset']],
    [`/api/bulk-transfers/${'BULK'}/details`, ['limit', 'offset']],
    ['/api/pension-roll', ['status', 'q', 'proof_of_life_before', 'limit', 'offset']],
    ['/api/pension-runs', ['limit', 'offset']],
  ];

  // Every typed filter (states, dates, numbers) refuses such a value with 400 invalid_filter; the free-text
  // search takes it as text and matches nothing of the organization's, rather than everything.
  it.each(FILTERS)(
    '%s: 400 invalid_filter, or (free text) an own-organization answer matching nothing; never a 500',
    async (path, filters) => {
      const target = path.replace('BULK', bulkId);
      for (const filter of filters) {
        for (const value of INJECTIONS) {
          const response = await request(server)
            .get(target)
            .query({ [filter]: value })
            .set(authHeader(fund.superviseur.token));
          if (filter === 'q') {
            expect({ filter, value, status: response.status, count: response.body.count }).toEqual({
              filter,
              value,
              status: 200,
              count: 0,
            });
          } else {
            expect({ filter, value, status: response.status, code: response.body.error?.code }).toEqual({
              filter,
              value,
              status: 400,
              code: 'invalid_filter',
            });
          }
        }
      }
    },
  );

  it('the tables are still there and intact afterwards', async () => {
    // Only reads were sent: every table still answers, with exactly the rows it had before.
    expect(await rowCounts()).toEqual(countsBefore);
    expect(await db()('users').where('id', fund.gestionnaire.id).first('id')).toEqual({ id: fund.gestionnaire.id });
  });
});
