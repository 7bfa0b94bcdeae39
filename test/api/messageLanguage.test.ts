/**
 * Human messages follow Accept-Language (French by default, as configured for the fund); the machine-readable
 * code never changes. Error messages, zod's field messages, Koa's own errors, the CSV error table and the upload's
 * warnings are all checked in both languages.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { closeDb } from '../support/database';
import { authHeader, createTestApp, createUser, loginAs } from '../support/fixtures';
import { createBulkTestApp, createFund, CSV_HEADER, type Fund, upload } from '../support/bulkFixtures';

const { server } = createBulkTestApp();

afterAll(closeDb);

function wrongLogin(language?: string) {
  const call = request(server)
    .post('/api/auth/login')
    .set('X-Forwarded-For', `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`);
  if (language !== undefined) call.set('Accept-Language', language);
  return call.send({ email: `nobody-${randomUUID()}@example.bj`, password: 'not the password' });
}

const INVALID_CREDENTIALS = {
  fr: { error: { code: 'invalid_credentials', message: 'Aucun compte actif ne correspond à ces identifiants.' } },
  en: { error: { code: 'invalid_credentials', message: 'No active account found with the given credentials.' } },
};

describe('the language of an error', () => {
  it('is French without Accept-Language, and says so in Content-Language', async () => {
    const response = await wrongLogin().expect(401);
    expect(response.body).toEqual(INVALID_CREDENTIALS.fr);
    expect(response.headers['content-language']).toBe('fr');
    expect(response.headers.vary).toMatch(/Accept-Language/i);
  });

  it.each([
    ['fr', 'fr'],
    ['fr-BJ, en;q=0.5', 'fr'],
    ['en', 'en'],
    ['en-US,en;q=0.9,fr;q=0.8', 'en'],
    ['de-DE', 'fr'],
  ] as const)('Accept-Language: %s answers %s, the same code', async (header, language) => {
    const response = await wrongLogin(header).expect(401);
    expect(response.body).toEqual(INVALID_CREDENTIALS[language]);
    expect(response.headers['content-language']).toBe(language);
  });

  it('falls back to API_DEFAULT_LANGUAGE when the request names neither language', async () => {
    const english = createTestApp({ API_DEFAULT_LANGUAGE: 'en' }).server;
    const response = await request(english).get('/api/no-such-route').set('Accept-Language', 'es').expect(404);
    expect(response.body).toEqual({ error: { code: 'not_found', message: 'Not found.' } });
    const french = await request(english).get('/api/no-such-route').set('Accept-Language', 'fr').expect(404);
    expect(french.body).toEqual({ error: { code: 'not_found', message: 'Introuvable.' } });
  });

  it("renders Koa's own errors (a body that is not JSON) in the language too", async () => {
    const send = (language: string) =>
      request(server)
        .post('/api/auth/login')
        .set('Accept-Language', language)
        .set('Content-Type', 'application/json')
        .send('{"email": ');
    expect((await send('fr').expect(400)).body).toEqual({
      error: { code: 'bad_request', message: 'Requête invalide.' },
    });
    expect((await send('en').expect(400)).body).toEqual({ error: { code: 'bad_request', message: 'Bad request.' } });
  });

  it("gives zod's field messages in the language, and ours (custom rules) too", async () => {
    const send = (language: string) =>
      request(server).post('/api/auth/login').set('Accept-Language', language).send({ email: 42 });
    const french = (await send('fr').expect(400)).body;
    const english = (await send('en').expect(400)).body;
    expect(french.error).toMatchObject({ code: 'validation_error', message: 'Données invalides.' });
    expect(english.error).toMatchObject({ code: 'validation_error', message: 'Invalid input.' });
    expect(Object.keys(french.error.details).sort()).toEqual(Object.keys(english.error.details).sort());
    expect(french.error.details.password).toEqual([expect.stringMatching(/^Entrée invalide/)]);
    expect(english.error.details.password).toEqual([expect.stringMatching(/^Invalid input/)]);

    const admin = await createUser({ isStaff: true });
    const token = await loginAs(server, admin.email, admin.password);
    const badPhone = (language: string) =>
      request(server)
        .post('/api/admin/users/create')
        .set(authHeader(token))
        .set('Accept-Language', language)
        .send({
          email: `new-${randomUUID()}@example.bj`,
          first_name: 'Afi',
          last_name: 'Houngbo',
          role: 'SUPERVISEUR',
          phone_number: '97-00-11',
        });
    expect((await badPhone('fr').expect(400)).body.error.details).toEqual({
      phone_number: ['Chiffres uniquement, éventuellement après un +, de 6 à 15.'],
    });
    expect((await badPhone('en').expect(400)).body.error.details).toEqual({
      phone_number: ['Digits only, optionally after a +, 6 to 15 of them.'],
    });
  });
});

describe('the CSV error table and the upload warnings', () => {
  let fund: Fund;
  beforeAll(async () => {
    fund = await createFund(server, { balance: 10_000_000n });
  });

  const badFile = `${CSV_HEADER}MSISDN,22997000001,XOF,\nPHONE,22997000002,XOF,1500\nMSISDN,+22997000003,XOF,12.5\nMSISDN,22997000004,XOF\n`;
  const where = (issue: { line: number; column: string | null; code: string }) => ({
    line: issue.line,
    column: issue.column,
    code: issue.code,
  });

  it('answers each line problem in French by default and in English when asked, at the same place with the same code', async () => {
    const french = (await upload(server, fund.gestionnaire.token, badFile).expect(400)).body.error;
    const english = (await upload(server, fund.gestionnaire.token, badFile).set('Accept-Language', 'en').expect(400))
      .body.error;

    expect(french.code).toBe('invalid_file');
    expect(english.code).toBe('invalid_file');
    expect(french.message).toBe(
      "Le fichier contient des erreurs ; rien n'a été créé. Corrigez-les et envoyez-le de nouveau.",
    );
    expect(english.message).toBe('The file has errors; nothing was created. Correct them and upload it again.');
    expect(french.details.errors.map(where)).toEqual([
      { line: 2, column: 'montant', code: 'required' },
      { line: 3, column: 'type_id', code: 'invalid_type_id' },
      { line: 4, column: 'valeur_id', code: 'invalid_msisdn' },
      { line: 4, column: 'montant', code: 'too_many_decimals' },
      { line: 5, column: null, code: 'wrong_column_count' },
    ]);
    expect(english.details.errors.map(where)).toEqual(french.details.errors.map(where));
    expect(french.details.errors.map((issue: { message: string }) => issue.message)).toEqual([
      'montant est vide.',
      expect.stringMatching(/^"PHONE" n'est pas l'une des valeurs autorisées : MSISDN, /),
      expect.stringMatching(/^"\+22997000003" n'est pas un numéro de téléphone au format international/),
      "Les montants en XOF n'ont pas de décimales",
      'Attendu : 4 champs séparés par « , » ; trouvé : 3.',
    ]);
    expect(english.details.errors.map((issue: { message: string }) => issue.message)).toEqual([
      'montant is empty.',
      expect.stringMatching(/^"PHONE" is not one of MSISDN, /),
      expect.stringMatching(/^"\+22997000003" is not a phone number in international form/),
      'XOF amounts have no decimals',
      'Expected 4 fields separated by ",", found 3.',
    ]);
  });

  it('answers the warnings of an accepted file in the language, also when the upload is replayed in another', async () => {
    const seed = randomUUID().replace(/\D/g, '').slice(0, 8).padEnd(8, '3');
    const csv = `${CSV_HEADER}MSISDN,229${seed},XOF,1500\nMSISDN,229${seed},XOF,1500\n`;
    const key = randomUUID();
    const first = await upload(server, fund.gestionnaire.token, csv, { idempotencyKey: key }).expect(202);
    expect(first.headers['content-language']).toBe('fr');
    expect(first.body.warnings).toEqual([
      {
        line: 3,
        code: 'duplicate_line',
        message: 'La ligne 3 paie le même bénéficiaire du même montant que la ligne 2.',
        duplicate_of_line: 2,
      },
    ]);

    const replayed = await upload(server, fund.gestionnaire.token, csv, { idempotencyKey: key })
      .set('Accept-Language', 'en')
      .expect(202);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual({
      ...first.body,
      warnings: [
        {
          line: 3,
          code: 'duplicate_line',
          message: 'Line 3 pays the same payee the same amount as line 2.',
          duplicate_of_line: 2,
        },
      ],
    });
  });
});
