/**
 * The console's administration, in a real Chromium against the real API: an admin deactivates a user (whose open
 * session ends, with the reason), reactivates them, and finds both in the audit log; creates an organization with
 * maker-checker, opens an account for it, records a deposit and suspends it; and an organization's SUPERVISEUR
 * sees its users read-only, with who approves.
 */
import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { closeDb, db } from '../support/database';
import { type ConsoleHarness, screenshot, signIn, startConsoleHarness } from '../support/consoleHarness';
import { createOrganization, createUser } from '../support/fixtures';

function unique(): string {
  return randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase();
}

async function signInAsAdmin(page: Page): Promise<{ email: string }> {
  const admin = await createUser({ role: 'GESTIONNAIRE', isStaff: true });
  await signIn(page, admin.email, admin.password);
  await page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();
  return admin;
}

describe('the console: administration, in a real browser', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await startConsoleHarness({ name: 'console-admin' });
  });

  afterAll(async () => {
    await harness?.stop();
    await closeDb();
  });

  it('deactivates a user, whose open session ends with the reason, reactivates them, and finds both in the audit log', async () => {
    const organization = await createOrganization();
    const target = await createUser({
      organizationId: organization.id,
      role: 'GESTIONNAIRE',
      firstName: 'Afi',
      lastName: 'Kpadé',
    });
    const user = await harness.newPage();
    await signIn(user.page, target.email, target.password);
    await user.page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();

    const { page, context, violations } = await harness.newPage();
    const admin = await signInAsAdmin(page);
    await page
      .getByRole('navigation', { name: 'Navigation principale' })
      .getByRole('link', { name: 'Administration' })
      .click();
    const users = page.getByRole('region', { name: 'Utilisateurs' });
    await users.getByLabel('Organisation').selectOption(String(organization.id));
    const row = users.locator(`tr[data-user="${target.email}"]`);
    await row.getByRole('cell', { name: 'Afi Kpadé' }).waitFor();
    await row.getByText('Actif', { exact: false }).waitFor();

    await row.getByRole('button', { name: `Modifier ${target.email}` }).click();
    const editor = page.getByRole('region', { name: `Modifier ${target.email}` });
    await editor.getByRole('button', { name: 'Désactiver' }).click();
    await editor.getByRole('button', { name: 'Oui, désactiver' }).click();
    await editor
      .getByRole('status')
      .filter({ hasText: `${target.email} est désactivé : ses sessions sont fermées.` })
      .waitFor();
    await row.getByText('Désactivé', { exact: false }).waitFor();

    // The user's page, still open, asks the API something: the login page, saying why.
    await user.page.getByRole('link', { name: 'Historique', exact: true }).click();
    await user.page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await user.page.getByRole('status').filter({ hasText: 'Votre compte a été désactivé.' }).waitFor();

    await editor.getByRole('button', { name: 'Réactiver' }).click();
    await editor
      .getByRole('status')
      .filter({ hasText: `${target.email} est réactivé.` })
      .waitFor();
    await signIn(user.page, target.email, target.password);
    await user.page.getByRole('heading', { name: 'Accueil', level: 1 }).waitFor();

    await editor.getByRole('link', { name: 'Son historique dans le journal d’audit' }).click();
    const audit = page.getByRole('region', { name: 'Journal d’audit' });
    expect(await audit.getByLabel('Identifiant de l’objet').inputValue()).toBe(String(target.user.id));
    const deactivated = audit.locator('tr[data-kind="user.deactivated"]');
    await deactivated.getByRole('cell', { name: 'Utilisateur désactivé' }).waitFor();
    await deactivated.getByRole('cell', { name: admin.email }).waitFor();
    await deactivated.getByText('is_active : true → false').waitFor();
    await audit.locator('tr[data-kind="user.reactivated"]').waitFor();

    await audit.getByLabel('Action').selectOption('user.reactivated');
    await audit.locator('tr[data-kind="user.deactivated"]').waitFor({ state: 'detached' });
    expect(await audit.locator('tbody tr').count()).toBe(1);
    await audit.getByLabel('Action').selectOption('');
    await audit.locator('tr[data-kind="user.deactivated"]').waitFor();
    await screenshot(page, 'admin-audit');
    expect(violations).toEqual([]);
    await user.context.close();
    await context.close();
  });

  it('creates an organization with maker-checker, opens an account for it, records a deposit, then suspends it', async () => {
    const code = `ORG-${unique()}`;
    const name = `Caisse ${code}`;
    const accountId = `ACC-${unique()}`;
    const { page, context, violations } = await harness.newPage();
    await signInAsAdmin(page);
    await page.goto('/administration/organisations');

    const create = page.getByRole('region', { name: 'Créer une organisation' });
    await create.getByLabel('Code (définitif)').fill(code);
    await create.getByLabel('Nom').fill(name);
    await create.getByLabel('Délai d’approbation (heures, facultatif)').fill('48');
    await create.getByLabel('Double validation : chaque lot attend l’approbation d’un second utilisateur').check();
    await create.getByRole('button', { name: 'Créer une organisation' }).click();
    await create
      .getByRole('status')
      .filter({ hasText: `Organisation ${name} créée.` })
      .waitFor();
    const row = page.locator(`tr[data-organization="${code}"]`);
    await row.getByRole('cell', { name: 'Oui (48 h)' }).waitFor();
    const organization = await db()('organizations').where('code', code).first();
    expect([organization.requires_approval, organization.approval_timeout_hours]).toEqual([true, 48]);

    await page
      .getByRole('navigation', { name: 'Rubriques de l’administration' })
      .getByRole('link', { name: 'Comptes et dépôts' })
      .click();
    const opening = page.getByRole('region', { name: 'Créer un compte' });
    await opening.getByLabel('Organisation').selectOption(String(organization.id));
    await opening.getByLabel('Identifiant du compte (ex. ACC-CNSS-001)').fill(accountId);
    await opening.getByLabel('Identifiant chez l’opérateur', { exact: true }).fill('22997001234');
    await opening.getByRole('button', { name: 'Créer un compte' }).click();
    await opening
      .getByRole('status')
      .filter({ hasText: `Compte ${accountId} créé (solde 0).` })
      .waitFor();

    const accounts = page.getByRole('region', { name: 'Comptes et dépôts' });
    expect(await accounts.getByLabel('Organisation des comptes').inputValue()).toBe(String(organization.id));
    await accounts.getByRole('rowheader', { name: accountId }).waitFor();
    await accounts.getByLabel('Montant (unités de la devise)').fill('250000');
    await accounts.getByLabel('Référence du virement').fill(`VIR-${code}`);
    await accounts.getByRole('button', { name: 'Enregistrer un dépôt' }).click();
    await accounts
      .getByRole('status')
      .filter({ hasText: `Dépôt de 250 000 XOF enregistré sur ${accountId}.` })
      .waitFor();
    await accounts
      .getByRole('row', { name: new RegExp(`^${accountId} 250\\s000\\sXOF 0\\sXOF 250\\s000\\sXOF$`) })
      .waitFor();

    await page
      .getByRole('navigation', { name: 'Rubriques de l’administration' })
      .getByRole('link', { name: 'Organisations' })
      .click();
    await page.getByRole('button', { name: `Modifier ${name}` }).click();
    const editor = page.getByRole('region', { name: `Modifier ${name}` });
    await editor.getByLabel('Délai d’approbation (heures, facultatif)').fill('');
    await editor.getByLabel('Active (ses utilisateurs peuvent se connecter, ses lots sont payés)').uncheck();
    await editor.getByRole('button', { name: 'Enregistrer' }).click();
    await editor.getByRole('status').filter({ hasText: 'Modifications enregistrées.' }).waitFor();
    await row.getByRole('cell', { name: 'Oui (délai de la plateforme)' }).waitFor();
    await row.getByText('Suspendue', { exact: false }).waitFor();
    const changed = await db()('organizations').where('id', organization.id).first();
    expect([changed.is_active, changed.requires_approval, changed.approval_timeout_hours]).toEqual([false, true, null]);

    await page.goto('/administration/journal');
    const audit = page.getByRole('region', { name: 'Journal d’audit' });
    // The page first lists every organization's entries: wait for the filtered answer, then for its rows alone.
    const filtered = page.waitForResponse(
      (response) =>
        response.url().includes('/api/admin/audit') && response.url().includes(`organization_id=${organization.id}`),
    );
    await audit.getByLabel('Organisation').selectOption(String(organization.id));
    await filtered;
    const kinds = ['organization.created', 'account.created', 'account.deposit', 'organization.updated'];
    await untilRowCount(audit.locator('tr[data-kind]'), kinds.length);
    for (const kind of kinds) await audit.locator(`tr[data-kind="${kind}"]`).waitFor();
    await audit
      .locator('tr[data-kind="organization.updated"]')
      .getByText('approval_timeout_hours : 48 → null')
      .waitFor();
    expect(violations).toEqual([]);
    await context.close();
  });

  it("shows an organization's users to its SUPERVISEUR, read-only, with who approves", async () => {
    const organization = await createOrganization();
    const approver = await createUser({
      organizationId: organization.id,
      role: 'GESTIONNAIRE',
      firstName: 'Koffi',
      lastName: 'Mensah',
    });
    const gone = await createUser({
      organizationId: organization.id,
      role: 'GESTIONNAIRE',
      isActive: false,
      firstName: 'Ancien',
      lastName: 'Gestionnaire',
    });
    const superviseur = await createUser({
      organizationId: organization.id,
      role: 'SUPERVISEUR',
      firstName: 'Aline',
      lastName: 'Zinsou',
    });
    const { page, context } = await harness.newPage();
    await signIn(page, superviseur.email, superviseur.password);
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    await nav.getByRole('link', { name: 'Équipe' }).click();
    expect(await nav.getByRole('link', { name: 'Administration' }).count()).toBe(0);

    const team = page.getByTestId('team');
    await team.locator(`tr[data-member="${approver.email}"]`).getByRole('cell', { name: 'Valideur' }).waitFor();
    await team.locator(`tr[data-member="${superviseur.email}"]`).getByRole('cell', { name: '—' }).waitFor();
    // Active users by default; the departed one only with "Tous", never an approver.
    expect(await team.locator(`tr[data-member="${gone.email}"]`).count()).toBe(0);
    await page.getByLabel('État').selectOption('');
    const departed = team.locator(`tr[data-member="${gone.email}"]`);
    await departed.getByText('Désactivé', { exact: false }).waitFor();
    expect(await departed.getByText('Valideur').count()).toBe(0);
    expect(await team.locator('tbody tr').count()).toBe(3);
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);

    await page.goto('/administration');
    await page.getByText('Votre rôle ne permet pas cette action.').waitFor();
    await context.close();
  });
});

/** Waits until the locator matches exactly `count` elements (the page re-renders after its answer arrives). */
async function untilRowCount(rows: Locator, count: number): Promise<void> {
  for (let tries = 0; tries < 600; tries += 1) {
    if ((await rows.count()) === count) return;
    await rows.page().waitForTimeout(50);
  }
  throw new Error(`expected ${count} rows, found ${await rows.count()}`);
}
