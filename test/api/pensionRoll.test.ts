/** The pension roll API against the real database: import (validation, all-or-nothing, upsert), reads, changes. */
import request from 'supertest';
import { closeDb, db } from '../support/database';
import { authHeader, createAccount, createOrganization, createTestApp, newUserToken } from '../support/fixtures';

const HEADER = 'type_id,valeur_id,nom_complet,devise,montant_mensuel,statut,derniere_preuve_de_vie,date_debut,date_fin';

describe('pension roll', () => {
  const { server } = createTestApp();
  let organizationId: number;
  let gestionnaire: string;
  let superviseur: string;
  let outsider: string;

  beforeAll(async () => {
    const organization = await createOrganization();
    organizationId = organization.id;
    await createAccount({ organizationId, balance: 0n });
    gestionnaire = await newUserToken(server, organizationId, 'GESTIONNAIRE');
    superviseur = await newUserToken(server, organizationId, 'SUPERVISEUR');
    const other = await createOrganization();
    await createAccount({ organizationId: other.id });
    outsider = await newUserToken(server, other.id, 'GESTIONNAIRE');
  });

  afterAll(async () => {
    await closeDb();
  });

  const importRoll = (token: string, csv: string) =>
    request(server)
      .post('/api/pension-roll/import')
      .set(authHeader(token))
      .attach('file', Buffer.from(csv), 'roll.csv');

  it('refuses a file with errors, naming line and column, and changes nothing', async () => {
    await importRoll(gestionnaire, `${HEADER}\nMSISDN,22961000001,Awa Dossou,XOF,45000,ACTIVE,2026-01-10,,\n`).expect(
      200,
    );
    const before = await rows();

    const response = await importRoll(
      gestionnaire,
      [
        HEADER,
        'MSISDN,22961000001,Awa Dossou,XOF,99999,ACTIVE,2026-01-10,,',
        'MSISDN,22961000002,Koffi Agbo,XOF,abc,,,,',
        'MSISDN,22961000003,,XOF,1000,RETIRED,2026-13-01,,',
      ].join('\n'),
    ).expect(400);
    expect(response.body.error.code).toBe('invalid_file');
    expect(response.body.error.details.errors).toEqual([
      { line: 3, column: 'montant_mensuel', code: 'invalid_amount', message: expect.any(String) },
      { line: 4, column: 'nom_complet', code: 'required', message: expect.any(String) },
      { line: 4, column: 'statut', code: 'invalid_status', message: expect.any(String) },
      { line: 4, column: 'derniere_preuve_de_vie', code: 'invalid_date', message: expect.any(String) },
    ]);
    // The valid line 2 (a new amount for Awa) was not applied either.
    expect(await rows()).toEqual(before);
  });

  it('upserts by party and counts added, updated and unchanged', async () => {
    const first = [
      HEADER,
      'MSISDN,22961000101,Ami Houngbo,XOF,30000,,2026-05-01,2021-01-01,',
      'MSISDN,22961000102,Bio Sanni,XOF,40000,,2026-05-01,,',
      'MSISDN,22961000103,Chantal Ahouandjinou,XOF,50000,SUSPENDED,,,',
    ].join('\n');
    expect((await importRoll(gestionnaire, first).expect(200)).body).toEqual({ added: 3, updated: 0, unchanged: 0 });
    expect((await importRoll(gestionnaire, first).expect(200)).body).toEqual({ added: 0, updated: 0, unchanged: 3 });

    // Semicolons, fewer columns: omitted values are kept; an older proof of life does not replace a newer one.
    const second = [
      'type_id;valeur_id;nom_complet;devise;montant_mensuel;derniere_preuve_de_vie',
      'MSISDN;22961000101;Ami Houngbo;XOF;32000;2025-01-01',
      'MSISDN;22961000102;Bio Sanni;XOF;40000;2026-06-01',
      'MSISDN;22961000103;Chantal Ahouandjinou;XOF;50000;',
      'MSISDN;22961000104;Dieudonné Zinsou;XOF;25000;2026-06-01',
    ].join('\n');
    expect((await importRoll(gestionnaire, second).expect(200)).body).toEqual({ added: 1, updated: 2, unchanged: 1 });

    const ami = await beneficiaryBy('22961000101');
    expect(ami).toMatchObject({
      monthly_amount: 32000,
      last_proof_of_life: '2026-05-01',
      start_date: '2021-01-01',
      status: 'ACTIVE',
    });
    expect(await beneficiaryBy('22961000102')).toMatchObject({ last_proof_of_life: '2026-06-01' });
    expect(await beneficiaryBy('22961000103')).toMatchObject({ status: 'SUSPENDED', last_proof_of_life: null });
    expect(await beneficiaryBy('22961000104')).toMatchObject({
      full_name: 'Dieudonné Zinsou',
      status: 'ACTIVE',
      currency: 'XOF',
    });
  });

  it('lists with filters and pagination, for the gestionnaire and the superviseur', async () => {
    const bySuperviseur = await request(server)
      .get('/api/pension-roll?status=suspended')
      .set(authHeader(superviseur))
      .expect(200);
    expect(bySuperviseur.body).toMatchObject({ total: 1, count: 1, limit: 50, offset: 0 });
    expect(bySuperviseur.body.results[0].party_identifier).toBe('22961000103');

    const byName = await request(server).get('/api/pension-roll?q=houngbo').set(authHeader(gestionnaire)).expect(200);
    expect(byName.body.results.map((row: { party_identifier: string }) => row.party_identifier)).toEqual([
      '22961000101',
    ]);
    const byIdentifier = await request(server)
      .get('/api/pension-roll?q=6100010')
      .set(authHeader(gestionnaire))
      .expect(200);
    expect(byIdentifier.body.total).toBe(4);

    const stale = await request(server)
      .get('/api/pension-roll?proof_of_life_before=2026-05-15')
      .set(authHeader(gestionnaire))
      .expect(200);
    expect(stale.body.results.map((row: { party_identifier: string }) => row.party_identifier).sort()).toEqual([
      '22961000001',
      '22961000101',
      '22961000103',
    ]);

    const page = await request(server)
      .get('/api/pension-roll?limit=2&offset=2')
      .set(authHeader(gestionnaire))
      .expect(200);
    expect(page.body).toMatchObject({ total: 5, count: 2, limit: 2, offset: 2 });

    await request(server).get('/api/pension-roll?status=ALIVE').set(authHeader(gestionnaire)).expect(400);
    const otherOrganization = await request(server).get('/api/pension-roll').set(authHeader(outsider)).expect(200);
    expect(otherOrganization.body.total).toBe(0);
  });

  it('changes a status with its reason and records a proof of life; never in the future', async () => {
    const bio = await beneficiaryBy('22961000102');
    const suspended = await request(server)
      .post(`/api/pension-roll/${bio.id}/status`)
      .set(authHeader(gestionnaire))
      .send({ status: 'SUSPENDED', reason: 'Enquête en cours' })
      .expect(200);
    expect(suspended.body).toMatchObject({ id: bio.id, status: 'SUSPENDED', status_reason: 'Enquête en cours' });
    await request(server)
      .post(`/api/pension-roll/${bio.id}/status`)
      .set(authHeader(gestionnaire))
      .send({ status: 'ALIVE' })
      .expect(400);

    const proof = await request(server)
      .post(`/api/pension-roll/${bio.id}/proof-of-life`)
      .set(authHeader(gestionnaire))
      .send({ date: '2026-07-02' })
      .expect(200);
    expect(proof.body.last_proof_of_life).toBe('2026-07-02');
    const future = await request(server)
      .post(`/api/pension-roll/${bio.id}/proof-of-life`)
      .set(authHeader(gestionnaire))
      .send({ date: '2999-01-01' })
      .expect(400);
    expect(future.body.error.code).toBe('date_in_future');
    await request(server)
      .post(`/api/pension-roll/${bio.id}/proof-of-life`)
      .set(authHeader(gestionnaire))
      .send({ date: '2026-02-30' })
      .expect(400);
    expect(await beneficiaryBy('22961000102')).toMatchObject({ status: 'SUSPENDED', last_proof_of_life: '2026-07-02' });

    const read = await request(server).get(`/api/pension-roll/${bio.id}`).set(authHeader(superviseur)).expect(200);
    expect(read.body).toMatchObject({ id: bio.id, full_name: 'Bio Sanni', monthly_amount: 40000 });
  });

  it('keeps the roll to its organization and its writes to the gestionnaire', async () => {
    const ami = await beneficiaryBy('22961000101');
    await request(server).get(`/api/pension-roll/${ami.id}`).set(authHeader(outsider)).expect(404);
    await request(server)
      .post(`/api/pension-roll/${ami.id}/status`)
      .set(authHeader(outsider))
      .send({ status: 'DECEASED' })
      .expect(404);
    await request(server)
      .post(`/api/pension-roll/${ami.id}/status`)
      .set(authHeader(superviseur))
      .send({ status: 'DECEASED' })
      .expect(403);
    await importRoll(superviseur, `${HEADER}\nMSISDN,22961000999,X,XOF,1,,,,\n`).expect(403);
    await request(server).get('/api/pension-roll').expect(401);
    expect(await beneficiaryBy('22961000101')).toMatchObject({ status: 'ACTIVE' });
  });

  async function rows(): Promise<unknown[]> {
    return db()('beneficiaries').where('organization_id', organizationId).orderBy('id');
  }

  async function beneficiaryBy(identifier: string) {
    const response = await request(server)
      .get(`/api/pension-roll?q=${identifier}`)
      .set(authHeader(gestionnaire))
      .expect(200);
    expect(response.body.count).toBe(1);
    return response.body.results[0];
  }
});
