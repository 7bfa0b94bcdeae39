/**
 * The pension roll and the monthly runs through the console, in a real Chromium, against the real API, Temporal
 * (real Schedules) and the Mojaloop peer: a roll imported, a proof of life recorded on a beneficiary's page, a
 * schedule created, paused and resumed, a run started now that pays the eligible and says who was held out and why.
 */
import { randomInt } from 'node:crypto';
import request from 'supertest';
import { closeDb } from '../support/database';
import { dayIn } from '../../src/pensions/rules/pensionPeriod';
import { type ConsoleHarness, signIn, startConsoleHarness } from '../support/consoleHarness';
import { authHeader, createAccount, createOrganization, createUser, loginAs } from '../support/fixtures';
import { walletOwnerName } from '../support/payees';

const HEADER = 'type_id,valeur_id,nom_complet,devise,montant_mensuel,statut,derniere_preuve_de_vie,date_debut,date_fin';

describe('the console: pension roll and monthly runs, in a real browser', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await startConsoleHarness({ name: 'console-pensions', worker: true });
  });

  afterAll(async () => {
    await harness?.stop();
    await closeDb();
  });

  it('imports the roll, records a proof of life, and runs the month now: paid, and held out with the reason', async () => {
    const organization = await createOrganization();
    await createAccount({ organizationId: organization.id, balance: 10_000_000n });
    const user = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
    const base = 22965000000 + randomInt(0, 9_000_000) * 10;
    const today = dayIn(new Date(), 'Africa/Porto-Novo');
    const roll = [
      HEADER,
      // Paid: named as the peer names their wallets' owners (the payee name check passes).
      `MSISDN,${base},${walletOwnerName(String(base))},XOF,45000,,${today},,`,
      `MSISDN,${base + 1},${walletOwnerName(String(base + 1))},XOF,52000,,,,`,
      `MSISDN,${base + 2},Rafiatou Bello,XOF,38000,,,,`,
    ].join('\n');

    const { page, context, violations } = await harness.newPage();
    await signIn(page, user.email, user.password);
    await page.getByRole('link', { name: 'Pensionnés' }).click();
    await page
      .getByLabel('Fichier CSV')
      .setInputFiles({ name: 'roll.csv', mimeType: 'text/csv', buffer: Buffer.from(roll) });
    await page.getByRole('button', { name: 'Importer' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Liste importée : 3 ajoutés, 0 modifiés, 0 inchangés.' })
      .waitFor();
    await page.getByRole('cell', { name: /^52\s000\sXOF$/ }).waitFor();

    await page.getByLabel('Rechercher (nom ou identifiant)').fill(String(base + 1));
    await page.getByLabel('Rechercher (nom ou identifiant)').press('Enter');
    await page.getByRole('link', { name: walletOwnerName(String(base + 1)) }).click();
    await page.getByRole('heading', { name: new RegExp(walletOwnerName(String(base + 1))) }).waitFor();
    await page.getByTestId('last-proof').filter({ hasText: '—' }).waitFor();
    await page.getByRole('button', { name: 'Enregistrer la preuve de vie' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Preuve de vie du .+ enregistrée\.$/ })
      .waitFor();
    await page.getByTestId('last-proof').locator(`time[datetime="${today}"]`).waitFor();

    await page.getByRole('link', { name: 'Paiements mensuels' }).click();
    await page.getByText('Aucun calendrier : les paiements mensuels ne partent pas tout seuls.').waitFor();
    await page.getByRole('button', { name: 'Créer le calendrier' }).click();
    await page.getByText('Le 5 de chaque mois à 08:00 (Africa/Porto-Novo).').waitFor();
    await page.getByRole('button', { name: 'Mettre en pause' }).click();
    await page.locator('.badge', { hasText: 'En pause' }).waitFor();
    await page.getByRole('button', { name: 'Reprendre' }).click();
    await page.locator('.badge', { hasText: 'Actif' }).waitFor();

    await page.getByRole('button', { name: 'Lancer maintenant' }).click();
    await page.getByRole('status').filter({ hasText: 'Paiement mensuel lancé.' }).waitFor();
    const run = page.locator('tr[data-period]').first();
    await run.locator('.badge', { hasText: 'Terminé' }).waitFor({ timeout: 90_000 });
    expect(await run.locator('td').allTextContents()).toEqual([
      expect.stringContaining('Terminé'),
      '2',
      expect.stringContaining('1'),
      expect.stringMatching(/^97\s000\sXOF$/),
      'Terminé',
    ]);
    await run.getByRole('button', { name: /Voir les écartés/ }).click();
    await page
      .getByRole('listitem')
      .filter({ hasText: 'Rafiatou Bello' })
      .filter({ hasText: 'aucune preuve de vie' })
      .waitFor();

    // Back on the beneficiary held out: the month is in their history, with the reason.
    await page.getByRole('link', { name: 'Rafiatou Bello' }).click();
    await page.getByRole('listitem').filter({ hasText: 'Écarté : aucune preuve de vie' }).waitFor();
    expect(violations).toEqual([]);
    await context.close();

    // The schedule would fire on the 5th at 08:00: not during the rest of this run's tests.
    const token = await loginAs(harness.baseUrl, user.email, user.password);
    await request(harness.baseUrl)
      .delete(`/api/pension-runs/schedules/pension-run-${organization.code}`)
      .set(authHeader(token))
      .expect(204);
  });
});
