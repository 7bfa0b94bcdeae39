/**
 * The contract between the API and its OpenAPI description (src/api/openapi):
 *  - the routes described are exactly the routes the Koa app serves (read from each @koa/router's stack);
 *  - real answers of the real app (Postgres, Temporal) match the documented status codes and response schemas,
 *    validated with Ajv in strict mode (JSON Schema 2020-12, the dialect of OpenAPI 3.1);
 *  - /openapi.json and Swagger UI are served, the UI under its own Content-Security-Policy.
 */
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type Router from '@koa/router';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import type { HttpMethod } from '../../src/api/http/routeDefinition';
import { openApiDocument, type OpenApiDocument } from '../../src/api/apiDocument';
import { documentedResponse as documentedIn, operationOf } from '../support/openApiDocumentReading';
import { SWAGGER_UI_CSP } from '../../src/api/routes/docs';
import { closeDb, db } from '../support/database';
import {
  authHeader,
  createAccount,
  createOrganization,
  createTestApp,
  createUser,
  loginAs,
  strongPassword,
  uniqueEmail,
} from '../support/fixtures';
import { createBulkTestApp, createFund, CSV_HEADER, type Fund, upload } from '../support/bulkFixtures';

const document: OpenApiDocument = openApiDocument();
const DOCUMENT_ID = 'https://contract.test/openapi.json';

afterAll(closeDb);

// ---------------------------------------------------------------------------------------------------------------
// The validator: the whole document is one schema resource, so `#/components/schemas/...` references resolve.

function contractValidator(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true); // OpenAPI's file marker: an annotation
  // The document's own top-level fields, which are not JSON Schema keywords.
  ajv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'tags', 'paths', 'components', 'security']);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  return ajv;
}

const ajv = contractValidator();
const compiled = new Map<string, ValidateFunction>();

function pointer(...segments: string[]): string {
  return segments.map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function validatorAt(...segments: string[]): ValidateFunction {
  const ref = `${DOCUMENT_ID}#/${pointer(...segments)}`;
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  return validate;
}

function documentedResponse(method: HttpMethod, path: string, status: number) {
  return documentedIn(document, method, path, status);
}

/** The answer's status is documented for the route, its documented headers are there, and its JSON body matches. */
function expectConforms(response: request.Response, method: HttpMethod, path: string): void {
  const documented = documentedResponse(method, path, response.status);
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    if (header.required) expect(response.headers[name.toLowerCase()]).toBeDefined();
  }
  if (!documented.content) return;
  const mediaTypes = Object.keys(documented.content);
  const contentType = String(response.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  expect(mediaTypes).toContain(contentType);
  if (contentType !== 'application/json') return;
  const validate = validatorAt(
    'paths',
    path,
    method,
    'responses',
    String(response.status),
    'content',
    'application/json',
    'schema',
  );
  if (!validate(response.body)) {
    throw new Error(
      `${method.toUpperCase()} ${path} ${response.status} does not match its schema:\n` +
        `${JSON.stringify(validate.errors, null, 2)}\nbody: ${JSON.stringify(response.body, null, 2)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The routes the app serves, from its routers' stacks

const METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

function servedRoutes(app: Koa): Set<string> {
  const routes = new Set<string>();
  for (const middleware of app.middleware as Array<Koa.Middleware & { router?: Router }>) {
    for (const layer of middleware.router?.stack ?? []) {
      if (typeof layer.path !== 'string')
        throw new Error(`a route is a regular expression (${String(layer.path)}): describe it by hand`);
      const path = layer.path.replace(/:(\w+)/g, '{$1}');
      for (const method of layer.methods) {
        // HEAD comes with every GET; OPTIONS is answered by allowedMethods().
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        routes.add(`${method} ${path}`);
      }
    }
  }
  return routes;
}

function describedRoutes(): Set<string> {
  const routes = new Set<string>();
  for (const path of Object.keys(document.paths ?? {})) {
    for (const method of METHODS)
      if (operationOf(document, method, path)) routes.add(`${method.toUpperCase()} ${path}`);
  }
  return routes;
}

describe('the OpenAPI description', () => {
  it('describes every route the app serves, and only those', () => {
    const { app } = createTestApp();
    const served = servedRoutes(app);
    const described = describedRoutes();
    expect(served.size).toBeGreaterThan(20);
    expect([...served].filter((route) => !described.has(route)).sort()).toEqual([]);
    expect([...described].filter((route) => !served.has(route)).sort()).toEqual([]);
  });

  it('declares each path parameter of each route, and gives each operation a unique id', () => {
    const operationIds: string[] = [];
    for (const path of Object.keys(document.paths ?? {})) {
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      for (const method of METHODS) {
        const operation = operationOf(document, method, path);
        if (!operation) continue;
        operationIds.push(operation.operationId);
        const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
        expect({ route: `${method} ${path}`, parameters: declared.map((parameter) => parameter.name).sort() }).toEqual({
          route: `${method} ${path}`,
          parameters: inTemplate,
        });
        expect(declared.every((parameter) => parameter.required === true)).toBe(true);
        expect(Object.keys(operation.responses).length).toBeGreaterThan(1);
      }
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('has request and response schemas that compile in strict mode', () => {
    let count = 0;
    for (const path of Object.keys(document.paths ?? {})) {
      for (const method of METHODS) {
        const operation = operationOf(document, method, path);
        if (!operation) continue;
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const mediaType of Object.keys(response.content ?? {})) {
            validatorAt('paths', path, method, 'responses', status, 'content', mediaType, 'schema');
            count += 1;
          }
        }
        for (const mediaType of Object.keys(operation.requestBody?.content ?? {})) {
          validatorAt('paths', path, method, 'requestBody', 'content', mediaType, 'schema');
          count += 1;
        }
      }
    }
    expect(count).toBeGreaterThan(100);
  });

  it('refuses answers of the wrong shape (the schemas are strict enough to catch one)', () => {
    const login = validatorAt(
      'paths',
      '/api/auth/login',
      'post',
      'responses',
      '200',
      'content',
      'application/json',
      'schema',
    );
    const user = { id: 1, email: 'a@b.c', first_name: 'A', last_name: 'B', role: 'GESTIONNAIRE' };
    expect(login({ access: 'a', refresh: 'r', user })).toBe(true);
    expect(login({ access: 'a', user })).toBe(false);
    expect(login({ access: 'a', refresh: 'r', user: { ...user, role: 'ADMIN' } })).toBe(false);

    const refused = validatorAt(
      'paths',
      '/api/bulk-transfers',
      'post',
      'responses',
      '400',
      'content',
      'application/json',
      'schema',
    );
    const issue = { line: 3, column: 'montant', code: 'invalid_amount', message: 'montant is not a number.' };
    expect(refused({ error: { code: 'invalid_file', message: 'm', details: { errors: [issue] } } })).toBe(true);
    expect(refused({ error: { code: 'invalid_file', message: 'm' } })).toBe(false);
    expect(
      refused({ error: { code: 'invalid_file', message: 'm', details: { errors: [{ ...issue, line: '3' }] } } }),
    ).toBe(false);
    expect(refused({ error: { code: 'insufficient_funds', message: 'm' } })).toBe(false);

    const accepted = validatorAt(
      'paths',
      '/api/bulk-transfers',
      'post',
      'responses',
      '202',
      'content',
      'application/json',
      'schema',
    );
    const body = {
      bulkTransferId: randomUUID(),
      state: 'PENDING',
      transfers_count: 1,
      total_amount: 100,
      currency: 'XOF',
      warnings: [],
    };
    expect(accepted(body)).toBe(true);
    expect(accepted({ ...body, total_amount: '100' })).toBe(false);
    expect(accepted({ ...body, total_amount: 100.5 })).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Serving it

describe('GET /openapi.json and Swagger UI', () => {
  const { server } = createTestApp();

  it('serves the document', async () => {
    const response = await request(server)
      .get('/openapi.json')
      .expect(200)
      .expect('Content-Type', /application\/json/);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(document)));
    expect(response.body.openapi).toBe('3.1.0');
    expectConforms(response, 'get', '/openapi.json');
  });

  it('serves Swagger UI pointed at the document, under its own Content-Security-Policy', async () => {
    await request(server).get('/swagger').expect(302).expect('Location', '/swagger/');

    const page = await request(server)
      .get('/swagger/')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(page.headers['content-security-policy']).toBe(SWAGGER_UI_CSP);
    expect(page.text).toContain('<div id="swagger-ui">');
    expect(page.text).not.toMatch(/<script>[^<]/); // no inline script: script-src 'self' suffices

    const initializer = await request(server)
      .get('/swagger/swagger-initializer.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    expect(initializer.text).toContain("url: '../openapi.json'");

    const expectedTypes: Record<string, RegExp> = { js: /javascript/, css: /text\/css/, png: /image\/png/ };
    const linked = [...page.text.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((match) => match[1]!);
    expect(linked).toEqual(
      expect.arrayContaining(['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-initializer.js']),
    );
    for (const file of linked) {
      const asset = await request(server)
        .get(`/swagger/${file}`)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect((asset.body as Buffer).length).toBeGreaterThan(0);
      expect(asset.headers['content-type']).toMatch(expectedTypes[file.split('.').pop()!]!);
      expect(asset.headers['content-security-policy']).toBe(SWAGGER_UI_CSP);
    }

    const missing = await request(server).get('/swagger/package.json').expect(404);
    expect(missing.body.error.code).toBe('not_found');
    await request(server).get('/swagger/..%2Fpackage.json').expect(404);
  });

  it("keeps helmet's policy on every other route", async () => {
    const response = await request(server).get('/healthz').expect(200);
    expect(response.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    expect(response.headers['content-security-policy']).not.toBe(SWAGGER_UI_CSP);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Real answers

describe('real answers match the description', () => {
  const { server } = createBulkTestApp();

  it('health, readiness and metrics', async () => {
    expectConforms(await request(server).get('/healthz').expect(200), 'get', '/healthz');
    expectConforms(await request(server).get('/readyz').expect(200), 'get', '/readyz');
    expectConforms(await request(server).get('/metrics').expect(200), 'get', '/metrics');
  });

  it('login, profile, token refresh, password change', async () => {
    const { email, password } = await createUser({ role: 'SUPERVISEUR', phoneNumber: '22997000001' });

    const login = await request(server).post('/api/auth/login').send({ email, password }).expect(200);
    expectConforms(login, 'post', '/api/auth/login');
    expectConforms(
      await request(server).post('/api/auth/login').send({ email: '' }).expect(400),
      'post',
      '/api/auth/login',
    );
    expectConforms(
      await request(server)
        .post('/api/auth/login')
        .set('Content-Type', 'application/json')
        .send('{"email":')
        .expect(400),
      'post',
      '/api/auth/login',
    );

    const profile = await request(server).get('/api/auth/profile').set(authHeader(login.body.access)).expect(200);
    expectConforms(profile, 'get', '/api/auth/profile');
    expect(profile.body.organization).not.toBeNull();
    expectConforms(await request(server).get('/api/auth/profile').expect(401), 'get', '/api/auth/profile');
    expectConforms(
      await request(server).get('/api/auth/profile').set(authHeader('not.a.jwt')).expect(401),
      'get',
      '/api/auth/profile',
    );

    const refreshed = await request(server)
      .post('/api/auth/token/refresh')
      .send({ refresh: login.body.refresh })
      .expect(200);
    expectConforms(refreshed, 'post', '/api/auth/token/refresh');
    const reused = await request(server)
      .post('/api/auth/token/refresh')
      .send({ refresh: login.body.refresh })
      .expect(401);
    expect(reused.body.error.code).toBe('token_reused');
    expectConforms(reused, 'post', '/api/auth/token/refresh');

    const token = await loginAs(server, email, password);
    const weak = await request(server)
      .post('/api/auth/change-password')
      .set(authHeader(token))
      .send({ old_password: password, new_password: 'short' });
    expect(weak.status).toBe(400);
    expectConforms(weak, 'post', '/api/auth/change-password');
    const changed = await request(server)
      .post('/api/auth/change-password')
      .set(authHeader(token))
      .send({ old_password: password, new_password: strongPassword() })
      .expect(200);
    expectConforms(changed, 'post', '/api/auth/change-password');
  });

  it('login refusals: 401 invalid_credentials, then 429 with Retry-After', async () => {
    const limited = createTestApp({ LOGIN_RATE_LIMIT_MAX: '1', LOGIN_RATE_LIMIT_WINDOW_SECONDS: '60' });
    limited.app.proxy = true; // the limiter sees the X-Forwarded-For address, not the 127.0.0.1 other tests share
    const ip = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const attempt = () =>
      request(limited.server)
        .post('/api/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email: uniqueEmail(), password: 'wrong' });

    const refused = await attempt().expect(401);
    expect(refused.body.error.code).toBe('invalid_credentials');
    expectConforms(refused, 'post', '/api/auth/login');
    const throttled = await attempt().expect(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expectConforms(throttled, 'post', '/api/auth/login');
  });

  it('admin user creation: 201, 403 for a non-admin, 409 for a taken email, 400 for a wrong body', async () => {
    const organization = await createOrganization();
    const admin = await createUser({ organizationId: organization.id, isStaff: true });
    const adminToken = await loginAs(server, admin.email, admin.password);
    const path = '/api/admin/users/create';
    const newUser = {
      email: uniqueEmail('created'),
      first_name: 'Awa',
      last_name: 'Dossou',
      role: 'SUPERVISEUR',
      phone_number: '+22997000002',
    };

    const created = await request(server).post(path).set(authHeader(adminToken)).send(newUser).expect(201);
    expectConforms(created, 'post', path);
    expect(created.body.user.must_change_password).toBe(true);
    expectConforms(
      await request(server).post(path).set(authHeader(adminToken)).send(newUser).expect(409),
      'post',
      path,
    );
    expectConforms(
      await request(server)
        .post(path)
        .set(authHeader(adminToken))
        .send({ ...newUser, role: 'ROOT' })
        .expect(400),
      'post',
      path,
    );

    const plain = await createUser({ organizationId: organization.id });
    const plainToken = await loginAs(server, plain.email, plain.password);
    expectConforms(
      await request(server).post(path).set(authHeader(plainToken)).send(newUser).expect(403),
      'post',
      path,
    );

    // The created user still has a temporary password: everywhere but profile and change-password, 403.
    const temporary = await loginAs(server, newUser.email, created.body.temporary_password);
    const stopped = await request(server).get('/api/bulk-transfers/history').set(authHeader(temporary)).expect(403);
    expect(stopped.body.error.code).toBe('password_change_required');
    expectConforms(stopped, 'get', '/api/bulk-transfers/history');
  });

  describe('bulk transfers', () => {
    let fund: Fund;
    let bulkId: string;

    beforeAll(async () => {
      fund = await createFund(server, { balance: 1_000_000n });
    });

    it('upload: 202, then 409 duplicate_file, 400 invalid_file, 422 insufficient_funds, 415, 400 invalid_idempotency_key', async () => {
      const csv = `${CSV_HEADER}MSISDN,22997000001,XOF,15000\nMSISDN,22997000002,XOF,2500\nMSISDN,22997000001,XOF,15000\n`;
      const accepted = await upload(server, fund.gestionnaire.token, csv, { idempotencyKey: randomUUID() }).expect(202);
      expectConforms(accepted, 'post', '/api/bulk-transfers');
      expect(accepted.body.warnings).toHaveLength(1);
      bulkId = accepted.body.bulkTransferId;

      const duplicate = await upload(server, fund.gestionnaire.token, csv).expect(409);
      expect(duplicate.body.error.code).toBe('duplicate_file');
      expectConforms(duplicate, 'post', '/api/bulk-transfers');

      const invalid = await upload(
        server,
        fund.gestionnaire.token,
        `${CSV_HEADER}MSISDN,22997000001,XOF,abc\nFAX,1,XOF,10\n`,
      ).expect(400);
      expect(invalid.body.error.code).toBe('invalid_file');
      expect(invalid.body.error.details.errors.length).toBeGreaterThanOrEqual(2);
      expectConforms(invalid, 'post', '/api/bulk-transfers');

      const header = await upload(
        server,
        fund.gestionnaire.token,
        'type,valeur_id,devise,montant\nMSISDN,22997000001,XOF,1\n',
      ).expect(400);
      expect(header.body.error.code).toBe('invalid_header');
      expectConforms(header, 'post', '/api/bulk-transfers');

      const poor = await upload(
        server,
        fund.gestionnaire.token,
        `${CSV_HEADER}MSISDN,22997000009,XOF,2000000\n`,
      ).expect(422);
      expect(poor.body.error.code).toBe('insufficient_funds');
      expectConforms(poor, 'post', '/api/bulk-transfers');

      const notMultipart = await request(server)
        .post('/api/bulk-transfers')
        .set(authHeader(fund.gestionnaire.token))
        .send({ file: 'x' })
        .expect(415);
      expectConforms(notMultipart, 'post', '/api/bulk-transfers');

      const longKey = await upload(server, fund.gestionnaire.token, csv, { idempotencyKey: 'k'.repeat(300) }).expect(
        400,
      );
      expect(longKey.body.error.code).toBe('invalid_idempotency_key');
      expectConforms(longKey, 'post', '/api/bulk-transfers');

      const superviseur = await upload(server, fund.superviseur.token, csv).expect(403);
      expectConforms(superviseur, 'post', '/api/bulk-transfers');
    });

    it('history, details, status and the reports', async () => {
      const history = await request(server)
        .get('/api/bulk-transfers/history')
        .set(authHeader(fund.superviseur.token))
        .expect(200);
      expectConforms(history, 'get', '/api/bulk-transfers/history');
      expect(history.body.results.map((entry: { bulk_id: string }) => entry.bulk_id)).toContain(bulkId);
      const badFilter = await request(server)
        .get('/api/bulk-transfers/history?state=LOST')
        .set(authHeader(fund.superviseur.token))
        .expect(400);
      expectConforms(badFilter, 'get', '/api/bulk-transfers/history');

      // One line as the workflow would leave it, so the nullable fields hold values too.
      await db()('individual_transfers').where({ bulk_id: bulkId, line_number: 2 }).update({
        status: 'COMPLETED',
        payee_name: 'Awa Kpété',
        payee_fsp_id: 'mtnbenin',
        fee_amount: 25,
        mojaloop_transfer_id: randomUUID(),
        completed_at: new Date(),
      });

      const details = await request(server)
        .get(`/api/bulk-transfers/${bulkId}/details`)
        .set(authHeader(fund.superviseur.token))
        .expect(200);
      expectConforms(details, 'get', '/api/bulk-transfers/{bulk_id}/details');
      expect(details.body.individual_transfers).toHaveLength(3);

      const status = await request(server)
        .get(`/api/bulk-transfers/${bulkId}/status`)
        .set(authHeader(fund.gestionnaire.token))
        .expect(200);
      expectConforms(status, 'get', '/api/bulk-transfers/{bulk_id}/status');

      const report = await request(server)
        .get(`/api/bulk-transfers/${bulkId}/report.json`)
        .set(authHeader(fund.superviseur.token))
        .expect(200);
      expectConforms(report, 'get', '/api/bulk-transfers/{bulk_id}/report.json');
      expect(report.body.transfers).toHaveLength(3);
      const csv = await request(server)
        .get(`/api/bulk-transfers/${bulkId}/report.csv`)
        .set(authHeader(fund.superviseur.token))
        .expect(200);
      expectConforms(csv, 'get', '/api/bulk-transfers/{bulk_id}/report.csv');

      const other = await createFund(server);
      const hidden = await request(server)
        .get(`/api/bulk-transfers/${bulkId}/details`)
        .set(authHeader(other.superviseur.token))
        .expect(404);
      expectConforms(hidden, 'get', '/api/bulk-transfers/{bulk_id}/details');
      const badPage = await request(server)
        .get(`/api/bulk-transfers/${bulkId}/details?limit=0`)
        .set(authHeader(fund.superviseur.token))
        .expect(400);
      expectConforms(badPage, 'get', '/api/bulk-transfers/{bulk_id}/details');
    });
  });

  it('pension roll: import, list, one beneficiary, status, proof of life', async () => {
    const organization = await createOrganization();
    await createAccount({ organizationId: organization.id });
    const gestionnaire = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
    const token = await loginAs(server, gestionnaire.email, gestionnaire.password);
    const roll =
      'type_id,valeur_id,nom_complet,devise,montant_mensuel,derniere_preuve_de_vie\nMSISDN,22961000001,Awa Dossou,XOF,45000,2026-01-10\n';

    const imported = await request(server)
      .post('/api/pension-roll/import')
      .set(authHeader(token))
      .attach('file', Buffer.from(roll), 'roll.csv')
      .expect(200);
    expectConforms(imported, 'post', '/api/pension-roll/import');
    const refused = await request(server)
      .post('/api/pension-roll/import')
      .set(authHeader(token))
      .attach(
        'file',
        Buffer.from('type_id,valeur_id,nom_complet,devise,montant_mensuel\nMSISDN,22961000002,,XOF,abc\n'),
        'roll.csv',
      )
      .expect(400);
    expectConforms(refused, 'post', '/api/pension-roll/import');

    const list = await request(server).get('/api/pension-roll').set(authHeader(token)).expect(200);
    expectConforms(list, 'get', '/api/pension-roll');
    const id: number = list.body.results[0].id;
    expectConforms(
      await request(server).get(`/api/pension-roll/${id}`).set(authHeader(token)).expect(200),
      'get',
      '/api/pension-roll/{id}',
    );
    expectConforms(
      await request(server)
        .post(`/api/pension-roll/${id}/status`)
        .set(authHeader(token))
        .send({ status: 'SUSPENDED', reason: 'audit' })
        .expect(200),
      'post',
      '/api/pension-roll/{id}/status',
    );
    expectConforms(
      await request(server)
        .post(`/api/pension-roll/${id}/proof-of-life`)
        .set(authHeader(token))
        .send({ date: '2026-02-01' })
        .expect(200),
      'post',
      '/api/pension-roll/{id}/proof-of-life',
    );
    expectConforms(
      await request(server)
        .post(`/api/pension-roll/${id}/proof-of-life`)
        .set(authHeader(token))
        .send({ date: '2999-01-01' })
        .expect(400),
      'post',
      '/api/pension-roll/{id}/proof-of-life',
    );
  });

  it('webhooks: register, list, test, deliveries, delete', async () => {
    const organization = await createOrganization();
    const gestionnaire = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
    const token = await loginAs(server, gestionnaire.email, gestionnaire.password);

    const created = await request(server)
      .post('/api/webhooks')
      .set(authHeader(token))
      .send({ url: 'http://127.0.0.1:9/hooks', events: ['bulk.completed'] })
      .expect(201);
    expectConforms(created, 'post', '/api/webhooks');
    expectConforms(
      await request(server)
        .post('/api/webhooks')
        .set(authHeader(token))
        .send({ url: 'ftp://example.org/', events: ['bulk.completed'] })
        .expect(400),
      'post',
      '/api/webhooks',
    );
    expectConforms(
      await request(server).get('/api/webhooks').set(authHeader(token)).expect(200),
      'get',
      '/api/webhooks',
    );
    const id: number = created.body.id;
    expectConforms(
      await request(server).post(`/api/webhooks/${id}/test`).set(authHeader(token)).expect(202),
      'post',
      '/api/webhooks/{webhook_id}/test',
    );
    expectConforms(
      await request(server).get(`/api/webhooks/${id}/deliveries`).set(authHeader(token)).expect(200),
      'get',
      '/api/webhooks/{webhook_id}/deliveries',
    );
    expectConforms(
      await request(server).delete(`/api/webhooks/${id}`).set(authHeader(token)).expect(204),
      'delete',
      '/api/webhooks/{webhook_id}',
    );
  });

  it('pension runs and their schedule', async () => {
    const fund = await createFund(server);
    const token = fund.gestionnaire.token;

    expectConforms(
      await request(server).get('/api/pension-runs').set(authHeader(token)).expect(200),
      'get',
      '/api/pension-runs',
    );
    expectConforms(
      await request(server).get('/api/pension-runs/2026-01').set(authHeader(token)).expect(404),
      'get',
      '/api/pension-runs/{period}',
    );

    const created = await request(server)
      .post('/api/pension-runs/schedules')
      .set(authHeader(token))
      .send({ day_of_month: 28, hour: 6, minute: 30 })
      .expect(201);
    expectConforms(created, 'post', '/api/pension-runs/schedules');
    const scheduleId: string = created.body.schedule_id;
    try {
      expectConforms(
        await request(server)
          .post('/api/pension-runs/schedules')
          .set(authHeader(token))
          .send({ day_of_month: 28, hour: 6, minute: 30 })
          .expect(409),
        'post',
        '/api/pension-runs/schedules',
      );
      expectConforms(
        await request(server).get('/api/pension-runs/schedules').set(authHeader(token)).expect(200),
        'get',
        '/api/pension-runs/schedules',
      );
      expectConforms(
        await request(server).get(`/api/pension-runs/schedules/${scheduleId}`).set(authHeader(token)).expect(200),
        'get',
        '/api/pension-runs/schedules/{schedule_id}',
      );
      expectConforms(
        await request(server)
          .post(`/api/pension-runs/schedules/${scheduleId}/pause`)
          .set(authHeader(token))
          .send({ note: 'audit' })
          .expect(200),
        'post',
        '/api/pension-runs/schedules/{schedule_id}/pause',
      );
    } finally {
      const deleted = await request(server)
        .delete(`/api/pension-runs/schedules/${scheduleId}`)
        .set(authHeader(token))
        .expect(204);
      expectConforms(deleted, 'delete', '/api/pension-runs/schedules/{schedule_id}');
    }
  });
});
