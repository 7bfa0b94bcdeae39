/**
 * A line held by the payee name check, in a real Chromium against the real API, Temporal and Mojaloop peer: the
 * upload's `nom` names someone other than the wallet's owner (the peer names 22990000421 "Awa Traoré"), the bulk
 * page shows the line held with both names and its likeness, the rest paid; a GESTIONNAIRE releases it and it is paid.
 */
import { closeDb } from '../support/database';
import { type ConsoleHarness, screenshot, signIn, startConsoleHarness } from '../support/consoleHarness';
import { createAccount, createOrganization, createUser } from '../support/fixtures';
import { uniqueMsisdns, walletOwnerName } from '../support/payees';

describe('the console: a held line, in a real browser', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await startConsoleHarness({ name: 'console-holds', worker: true });
  });

  afterAll(async () => {
    await harness?.stop();
    await closeDb();
  });

  it('shows the held line with both names, and a release pays it', async () => {
    const organization = await createOrganization();
    await createAccount({ organizationId: organization.id, balance: 10_000_000n });
    const gestionnaire = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
    const [named] = uniqueMsisdns(1);
    const file =
      'type_id;valeur_id;devise;montant;nom\n' +
      `MSISDN;22990000421;XOF;25000;Koffi Mensah\nMSISDN;${named};XOF;10000;${walletOwnerName(named)}\n`;

    const { page, context, violations } = await harness.newPage();
    await signIn(page, gestionnaire.email, gestionnaire.password);
    await page.getByRole('link', { name: 'Nouveau paiement' }).click();
    await page
      .getByLabel('Fichier CSV')
      .setInputFiles({ name: 'pensions.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
    await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
    await page.getByRole('button', { name: 'Continuer vers le lot' }).click();

    const heldRow = page.locator('tr[data-line="2"]');
    await heldRow.locator('.badge', { hasText: 'Retenue' }).waitFor({ timeout: 90_000 });
    await page.locator('tr[data-line="3"]').locator('.badge', { hasText: 'Payée' }).waitFor({ timeout: 90_000 });
    await heldRow.getByText('Awa Traoré').waitFor();
    await heldRow
      .getByTestId('expected-name')
      .filter({ hasText: /attendu : Koffi Mensah \(ressemblance \d+ %\)/ })
      .waitFor();
    await heldRow.getByText('Le titulaire du compte n’est pas le pensionné attendu').waitFor();
    await page
      .getByTestId('bulk-counts')
      .locator('div')
      .filter({ has: page.locator('dt', { hasText: /^Retenues$/ }) })
      .locator('dd', { hasText: /^1$/ })
      .waitFor();
    await screenshot(page, 'bulk-held-line');

    await heldRow.getByRole('button', { name: 'Libérer et payer' }).click();
    await page.getByText('Ligne libérée : elle est de nouveau vérifiée puis payée.').waitFor();
    await heldRow.locator('.badge', { hasText: 'Payée' }).waitFor({ timeout: 90_000 });
    await heldRow
      .getByTestId('hold-decision')
      .filter({ hasText: `Libérée par ${gestionnaire.email}` })
      .waitFor();
    await page
      .getByRole('heading', { level: 1 })
      .locator('.badge', { hasText: 'Terminé' })
      .waitFor({ timeout: 90_000 });
    expect(violations).toEqual([]);
    await context.close();
  });
});
