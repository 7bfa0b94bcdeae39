/**
 * The console in a real Chromium against the real API: signing in (and the wrong-password message), the forced
 * password change of a user an admin created, a session ended elsewhere bringing back the login page with the
 * reason, signing out (which ends the login on the server), the English switch, a SUPERVISEUR's read-only pages, and the API's own paths never answered by the app.
 */
import request from 'supertest';
import { closeDb, db } from '../support/database';
import { createBulkTestApp, createFund, csvOfLines, upload } from '../support/bulkFixtures';
import { type ConsoleHarness, screenshot, signIn, startConsoleHarness } from '../support/consoleHarness';
import { authHeader, createUser, loginAs, strongPassword } from '../support/fixtures';

describe('the console: sessions and roles, in a real browser', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await startConsoleHarness({ name: 'console-session' });
  });

  afterAll(async () => {
    await harness?.stop();
    await closeDb();
  });

  it('serves the app at / under a strict CSP, falls back to it for its pages, never for the API', async () => {
    const server = harness.baseUrl;
    const page = await request(server)
      .get('/')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    const policy = page.headers['content-security-policy'] as string;
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(page.text).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)![1]!;
    await request(server)
      .get(asset)
      .expect(200)
      .expect('Content-Type', /javascript/)
      .expect('Cache-Control', /immutable/);
    await request(server)
      .get('/lots/00000000-0000-0000-0000-000000000000')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    await request(server).get('/assets/missing.js').expect(404);
    for (const path of ['/api/nothing', '/api', '/openapi.json.bak', '/metrics/x', '/healthz/x', '/swagger/x.y']) {
      const answer = await request(server).get(path);
      expect([path, answer.status, answer.headers['content-type']]).toEqual([path, 404, expect.stringMatching(/json/)]);
    }
    await request(server).get('/openapi.json').expect(200).expect('Content-Type', /json/);
  });

  it('signs in, says so in French when the password is wrong, and switches to English', async () => {
    const fund = await createUser({ role: 'GESTIONNAIRE' });
    const { page, context, violations } = await harness.newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await screenshot(page, 'login');

    await signIn(page, fund.email, 'not-the-password');
    await page.getByRole('alert').filter({ hasText: 'E-mail ou mot de passe incorrect.' }).waitFor();
    expect(await page.getByLabel('Mot de passe').inputValue()).toBe('');

    await signIn(page, fund.email, fund.password);
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
    await page
      .getByRole('navigation', { name: 'Navigation principale' })
      .getByRole('link', { name: 'Nouveau paiement' })
      .waitFor();

    await page.getByLabel('Langue').first().selectOption('en');
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    // A reload keeps the session (the refresh token of this tab) and the language.
    await page.reload();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    expect(violations).toEqual([]);
    await context.close();
  });

  it('takes a user created by an admin to the password change first, then home', async () => {
    const admin = await createUser({ role: 'GESTIONNAIRE', isStaff: true });
    const adminToken = await loginAs(harness.baseUrl, admin.email, admin.password);
    const created = await request(harness.baseUrl)
      .post('/api/admin/users/create')
      .set(authHeader(adminToken))
      .send({
        email: `new.${Date.now()}@test.example`,
        first_name: 'Awa',
        last_name: 'Dossou',
        role: 'GESTIONNAIRE',
        organization_id: admin.user.organization_id,
      })
      .expect(201);
    const { page, context, violations } = await harness.newPage();
    await signIn(page, created.body.user.email, created.body.temporary_password);
    await page.getByRole('heading', { name: 'Changez votre mot de passe' }).waitFor();

    const next = strongPassword();
    await page.getByLabel('Mot de passe actuel').fill(created.body.temporary_password);
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(next);
    await page.getByLabel('Confirmez le nouveau mot de passe').fill(`${next}x`);
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Les deux nouveaux mots de passe ne sont pas identiques.' })
      .waitFor();

    await page.getByLabel('Confirmez le nouveau mot de passe').fill(next);
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
    // The new password is the one that works now.
    await loginAs(harness.baseUrl, created.body.user.email, next);
    expect(violations).toEqual([]);
    await context.close();
  });

  it('brings back the login page with the reason when the session ends elsewhere (password changed on another device)', async () => {
    const user = await createUser({ role: 'GESTIONNAIRE' });
    const { page, context } = await harness.newPage();
    await signIn(page, user.email, user.password);
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();

    const token = await loginAs(harness.baseUrl, user.email, user.password);
    await request(harness.baseUrl)
      .post('/api/auth/change-password')
      .set(authHeader(token))
      .send({ old_password: user.password, new_password: strongPassword() })
      .expect(200);

    await page.getByRole('link', { name: 'Historique', exact: true }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Votre session a été fermée' }).waitFor();
    await context.close();
  });

  it('signs out on the server: the login ends, so a copy of its refresh token is refused afterwards', async () => {
    const user = await createUser({ role: 'GESTIONNAIRE' });
    const { page, context, violations } = await harness.newPage();
    await signIn(page, user.email, user.password);
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
    // Read as a string: the test's own types have no DOM.
    const storedRefresh = "sessionStorage.getItem('pension-console.refresh')";
    const stored = await page.evaluate<string | null>(storedRefresh);
    expect(stored).toEqual(expect.any(String));

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    expect(await page.evaluate<string | null>(storedRefresh)).toBeNull();
    const refused = await request(harness.baseUrl).post('/api/auth/token/refresh').send({ refresh: stored });
    expect(refused.status).toBe(401);
    expect(await db()('audit_log').where({ kind: 'user.logged_out', actor_user_id: user.user.id })).toHaveLength(1);
    expect(violations).toEqual([]);
    await context.close();
  });

  it('shows a SUPERVISEUR everything read-only: no upload, approve, cancel or retry control', async () => {
    const { server } = createBulkTestApp();
    const fund = await createFund(server);
    await upload(server, fund.gestionnaire.token, csvOfLines(3)).expect(202);
    const superviseur = await createUser({ organizationId: fund.organization.id, role: 'SUPERVISEUR' });

    const { page, context } = await harness.newPage();
    await signIn(page, superviseur.email, superviseur.password);
    await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    await nav.getByRole('link', { name: 'Historique' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Nouveau paiement' }).count()).toBe(0);

    await page.goto('/paiements/nouveau');
    await page.getByText('Votre rôle ne permet pas d’envoyer des fichiers.').waitFor();
    expect(await page.locator('input[type=file]').count()).toBe(0);

    await page.goto('/historique');
    await page.getByRole('link', { name: /\d/ }).first().click();
    await page.getByRole('heading', { name: 'Avancement' }).waitFor();
    await page.getByRole('button', { name: 'Rapport de rapprochement (CSV)' }).waitFor();
    for (const name of ['Annuler le lot', 'Relancer les lignes en échec', 'Approuver le lot', 'Rejeter le lot']) {
      expect([name, await page.getByRole('button', { name }).count()]).toEqual([name, 0]);
    }
    await page.goto('/pensionnes');
    await page.getByRole('heading', { name: 'Pensionnés', level: 1 }).waitFor();
    expect(await page.locator('input[type=file]').count()).toBe(0);
    await context.close();
  });
});
