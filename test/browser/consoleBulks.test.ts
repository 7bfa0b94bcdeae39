/**
 * Paying pension lists through the console, in a real Chromium, against the real API, Temporal and Mojaloop peer:
 * a valid upload watched to 100 % and its report downloaded; an invalid file's error table with nothing created;
 * maker and checker in two browser contexts; cancel; retry-failed; the lines' filters and failures in words.
 * Lines are held at the adapter (a barrier per payee) where a test needs a bulk caught mid-way, never timed.
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { PayoutAdapter } from '../../activities';
import { closeDb, db } from '../support/database';
import { barrier, type Barrier } from '../support/barrier';
import { CSV_HEADER, snapshot, type Fund } from '../support/bulkFixtures';
import { type ConsoleHarness, screenshot, signIn, startConsoleHarness } from '../support/consoleHarness';
import { createAccount, createOrganization, createUser } from '../support/fixtures';

/** Payees whose discovery waits until the test opens their barrier; `seen` resolves once the adapter was asked. */
const held = new Map<string, { gate: Barrier; seen: Barrier }>();

function holding(real: PayoutAdapter): PayoutAdapter {
  // Each method by name: the real client is a class instance, whose methods a spread would not copy.
  return {
    acceptParty: (transferId) => real.acceptParty(transferId),
    acceptQuote: (transferId) => real.acceptQuote(transferId),
    getTransfer: (transferId) => real.getTransfer(transferId),
    startTransfer: async (request) => {
      const hold = held.get(request.to.idValue);
      if (hold) {
        hold.seen.open();
        await hold.gate.promise;
      }
      return real.startTransfer(request);
    },
  };
}

function hold(msisdn: string): { gate: Barrier; seen: Barrier } {
  const entry = { gate: barrier(), seen: barrier() };
  held.set(msisdn, entry);
  return entry;
}

function payees(count: number): string[] {
  const seed = randomUUID().replace(/\D/g, '').padEnd(8, '3').slice(0, 8);
  return Array.from({ length: count }, (_, index) => `2297${seed}${String(index).padStart(2, '0')}`);
}

function csv(lines: Array<[string, number]>): string {
  return CSV_HEADER + lines.map(([msisdn, amount]) => `MSISDN,${msisdn},XOF,${amount}\n`).join('');
}

interface Staff {
  organizationId: number;
  gestionnaire: { email: string; password: string };
  checker: { email: string; password: string };
}

async function fund(options: { requiresApproval?: boolean } = {}): Promise<Staff & { fund: Fund }> {
  const organization = await createOrganization();
  if (options.requiresApproval)
    await db()('organizations').where('id', organization.id).update({ requires_approval: true });
  const account = await createAccount({ organizationId: organization.id, balance: 100_000_000n });
  const gestionnaire = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
  const checker = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
  const ids = { id: gestionnaire.user.id, token: '' };
  return {
    organizationId: organization.id,
    gestionnaire,
    checker,
    fund: { organization, account, gestionnaire: ids, superviseur: ids },
  };
}

async function uploadThroughConsole(page: Page, content: string, fileName: string): Promise<void> {
  await page.getByRole('link', { name: 'Nouveau paiement' }).click();
  await page
    .getByLabel('Fichier CSV')
    .setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: Buffer.from(content) });
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
}

async function openUploadedBulk(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Fichier accepté' }).waitFor();
  await page.getByRole('button', { name: 'Continuer vers le lot' }).click();
  await page.getByRole('heading', { name: 'Avancement' }).waitFor();
}

/** Waits until the bulk's counts read exactly these values (the page refreshes them while the bulk runs). */
async function countsReach(page: Page, expected: Record<string, number>): Promise<void> {
  for (const [label, value] of Object.entries(expected)) {
    await page
      .getByTestId('bulk-counts')
      .locator('div')
      .filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
      .locator('dd', { hasText: new RegExp(`^${value}$`) })
      .waitFor();
  }
}

async function stateIs(page: Page, state: string): Promise<void> {
  await page.getByRole('heading', { level: 1 }).locator('.badge', { hasText: state }).waitFor();
}

describe('the console: paying a list, in a real browser', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await startConsoleHarness({ name: 'console-bulks', worker: true, adapter: holding });
  });

  afterAll(async () => {
    for (const entry of held.values()) entry.gate.open();
    await harness?.stop();
    await closeDb();
  });

  it('uploads a valid file, shows it paying to 100 % with the right counts, and downloads its report', async () => {
    const staff = await fund();
    const [first, second, third, last] = payees(4) as [string, string, string, string];
    const lastLine = hold(last);
    const { page, context, violations } = await harness.newPage();
    await signIn(page, staff.gestionnaire.email, staff.gestionnaire.password);
    await uploadThroughConsole(
      page,
      csv([
        [first, 1_250_000],
        [second, 20_000],
        [third, 30_000],
        [last, 40_000],
      ]),
      'pensions-novembre.csv',
    );
    await page.getByText('4 lignes pour un total de 1 340 000 XOF.', { exact: false }).waitFor();
    await openUploadedBulk(page);

    // Three lines paid, the fourth held at the switch's door: the page shows the bulk mid-way.
    await lastLine.seen.promise;
    await countsReach(page, { Lignes: 4, Payées: 3, 'En échec': 0 });
    await page.getByTestId('progress-text').filter({ hasText: '75 % traité' }).waitFor();
    await stateIs(page, 'En cours');
    await page.getByRole('cell', { name: /^1\s250\s000\sXOF$/ }).waitFor();
    await screenshot(page, 'bulk-in-progress');

    lastLine.gate.open();
    await page.getByTestId('progress-text').filter({ hasText: '100 % traité' }).waitFor();
    await countsReach(page, { Lignes: 4, Payées: 4, 'En échec': 0, 'En cours': 0, 'En attente': 0 });
    await stateIs(page, 'Terminé');

    const [report] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Rapport de rapprochement (CSV)' }).click(),
    ]);
    expect(report.suggestedFilename()).toMatch(/^bulk-[0-9a-f-]{36}-report\.csv$/);
    const rows = (await readFile(await report.path(), 'utf8')).trim().split(/\r?\n/);
    expect(rows).toHaveLength(5);
    expect(rows.slice(1).every((row) => row.includes('COMPLETED'))).toBe(true);
    expect(rows.slice(1).map((row) => row.split(',').find((cell) => /^2297\d{10}$/.test(cell)))).toEqual([
      first,
      second,
      third,
      last,
    ]);

    const [statement] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Relevé du compte payeur (CSV)' }).click(),
    ]);
    expect(await readFile(await statement.path(), 'utf8')).toContain('debit');
    expect(violations).toEqual([]);
    await context.close();
  });

  it("shows an invalid file's errors as a table (line, column, message), and creates nothing", async () => {
    const staff = await fund();
    const before = await snapshot(staff.fund);
    const { page, context } = await harness.newPage();
    await signIn(page, staff.gestionnaire.email, staff.gestionnaire.password);
    const [good, other] = payees(2) as [string, string];
    await uploadThroughConsole(
      page,
      `${CSV_HEADER}MSISDN,${good},XOF,1000\nMSISDN,12,XOF,1000\nMSISDN,${other},XOF,-5\n`,
      'erreurs.csv',
    );

    const table = page
      .getByRole('alert')
      .filter({ hasText: 'Le fichier contient des erreurs : rien n’a été créé.' })
      .locator('table');
    await table.waitFor();
    const cells = await Promise.all(
      (await table.locator('tbody tr').all()).map((row) => row.locator('td').allTextContents()),
    );
    expect(cells.map(([line, column]) => [line, column])).toEqual([
      ['3', 'valeur_id'],
      ['4', 'montant'],
    ]);
    expect(cells.every((row) => (row[2] ?? '').length > 0)).toBe(true);
    expect(await snapshot(staff.fund)).toEqual(before);
    await context.close();
  });

  it('lets a second user approve what the first uploaded (maker and checker in two browsers), then pays it', async () => {
    const staff = await fund({ requiresApproval: true });
    const lines = payees(2) as [string, string];
    const maker = await harness.newPage();
    await signIn(maker.page, staff.gestionnaire.email, staff.gestionnaire.password);
    await uploadThroughConsole(
      maker.page,
      csv([
        [lines[0], 5000],
        [lines[1], 6000],
      ]),
      'a-approuver.csv',
    );
    await openUploadedBulk(maker.page);
    await stateIs(maker.page, 'À approuver');
    await maker.page.getByText('Vous avez créé ce lot : un autre utilisateur doit l’approuver.').waitFor();
    expect(await maker.page.getByRole('button', { name: 'Approuver le lot' }).count()).toBe(0);

    const checker = await harness.newPage();
    await signIn(checker.page, staff.checker.email, staff.checker.password);
    const awaiting = checker.page.getByRole('region', { name: 'À traiter' });
    await awaiting.getByRole('heading', { name: 'En attente de votre approbation' }).waitFor();
    await awaiting.getByRole('link').first().click();
    await checker.page.getByRole('button', { name: 'Approuver le lot' }).click();
    await checker.page.getByRole('status').filter({ hasText: 'Lot approuvé : le paiement commence.' }).waitFor();
    await checker.page
      .getByTestId('approval')
      .filter({ hasText: `Approuvé par ${staff.checker.email}` })
      .waitFor();

    // The maker's page, left open, follows the payment to its end.
    await maker.page.getByTestId('progress-text').filter({ hasText: '100 % traité' }).waitFor();
    await countsReach(maker.page, { Payées: 2, 'En échec': 0 });
    await stateIs(maker.page, 'Terminé');
    await maker.context.close();
    await checker.context.close();
  });

  it('cancels a bulk caught mid-way: its unsent lines end cancelled, in words', async () => {
    const staff = await fund();
    const lines = payees(3);
    const holds = lines.map(hold);
    const { page, context } = await harness.newPage();
    await signIn(page, staff.gestionnaire.email, staff.gestionnaire.password);
    await uploadThroughConsole(page, csv(lines.map((msisdn, index) => [msisdn, 7000 + index])), 'a-annuler.csv');
    await openUploadedBulk(page);
    await Promise.all(holds.map((entry) => entry.seen.promise));

    await page.getByRole('button', { name: 'Annuler le lot' }).click();
    await page.getByRole('button', { name: 'Oui, annuler le lot' }).click();
    await page.getByRole('status').filter({ hasText: 'Lot annulé : 3 lignes ne seront pas envoyées.' }).waitFor();
    for (const entry of holds) entry.gate.open();

    await stateIs(page, 'Échoué');
    await countsReach(page, { 'En échec': 3, Payées: 0, Annulées: 3 });
    await page.getByRole('cell', { name: 'cancelled Non envoyée : le lot a été annulé.' }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Annuler le lot' }).count()).toBe(0);
    await context.close();
  });

  it('retries the failed lines worth retrying, filters lines by status and failure code, and says each failure in words', async () => {
    const staff = await fund();
    const [paid] = payees(1) as [string];
    const { page, context } = await harness.newPage();
    await signIn(page, staff.gestionnaire.email, staff.gestionnaire.password);
    // 22990000404: party not found (3204, permanent); 22990000403: the payee FSP refuses the transfer (5104, worth retrying).
    await uploadThroughConsole(
      page,
      csv([
        [paid, 11000],
        ['22990000404', 12000],
        ['22990000403', 13000],
      ]),
      'echecs.csv',
    );
    await openUploadedBulk(page);
    await stateIs(page, 'Terminé');
    await countsReach(page, { Payées: 1, 'En échec': 2 });
    await page.getByRole('cell', { name: /^3204 Bénéficiaire introuvable/ }).waitFor();
    await page.getByRole('cell', { name: /^5104 L’opérateur du bénéficiaire a refusé le transfert/ }).waitFor();
    await screenshot(page, 'bulk-lines-failures');

    await page.getByLabel('Statut').selectOption('FAILED');
    const rows = page.locator('table.lines tbody tr');
    await expectLines(page, [3, 4]);
    await page.getByLabel('Code d’échec').fill('3204');
    await expectLines(page, [3]);
    await page.getByLabel('Code d’échec').fill('');
    await page.getByLabel('Statut').selectOption('');
    await expectLines(page, [2, 3, 4]);
    expect(await rows.count()).toBe(3);

    await page.getByRole('button', { name: 'Relancer les lignes en échec' }).click();
    await page.getByRole('status').filter({ hasText: '1 lignes relancées ; 13 000 XOF réservés à nouveau.' }).waitFor();
    await page.getByText('Relances : 1').waitFor();
    // The retried line is refused again by its payee's provider: the bulk ends once more, its attempt counted.
    await stateIs(page, 'Terminé');
    await page.locator('table.lines tbody tr[data-line="4"]', { hasText: 'Tentative 2' }).waitFor();
    await countsReach(page, { Payées: 1, 'En échec': 2 });
    await context.close();
  });

  it("pages and filters a bulk's lines through the API: a status with more lines than a page, a failure code, nothing matching", async () => {
    const staff = await fund();
    // 53 lines (file lines 2 to 54); the payee of lines 12 and 47 does not exist (3204), the other 51 are paid.
    const lines: Array<[string, number]> = payees(51).map((msisdn, index) => [msisdn, 1000 + index]);
    lines.splice(10, 0, ['22990000404', 2001]);
    lines.splice(45, 0, ['22990000404', 2002]);
    const { page, context } = await harness.newPage();
    await signIn(page, staff.gestionnaire.email, staff.gestionnaire.password);
    await uploadThroughConsole(page, csv(lines), 'cinquante-trois.csv');
    await openUploadedBulk(page);
    await stateIs(page, 'Terminé');
    await countsReach(page, { Lignes: 53, Payées: 51, 'En échec': 2 });
    await page.getByRole('navigation', { name: '1 à 50 sur 53' }).waitFor();

    // Each filter and page is asked of the API (/details status, failure_code, offset), not cut from a whole list.
    const asked = (wanted: Record<string, string>) =>
      page.waitForRequest((sent) => {
        const url = new URL(sent.url());
        return (
          url.pathname.endsWith('/details') &&
          Object.entries(wanted).every(([name, value]) => url.searchParams.get(name) === value)
        );
      });
    await Promise.all([
      asked({ status: 'COMPLETED', offset: '0' }),
      page.getByLabel('Statut').selectOption('COMPLETED'),
    ]);
    await page.getByRole('navigation', { name: '1 à 50 sur 51' }).waitFor();
    await page
      .getByTestId('lines-matching')
      .filter({ hasText: '51 ligne(s) sur 53 correspondent aux filtres.' })
      .waitFor();
    await page.locator('table.lines tbody tr').nth(49).and(page.locator('tr[data-line="53"]')).waitFor();
    await Promise.all([
      asked({ status: 'COMPLETED', offset: '50' }),
      page.getByRole('button', { name: 'Suivant' }).click(),
    ]);
    await expectLines(page, [54]);
    await page.getByRole('navigation', { name: '51 à 51 sur 51' }).waitFor();

    await page.getByLabel('Statut').selectOption('FAILED');
    await Promise.all([
      asked({ status: 'FAILED', failure_code: '3204', offset: '0' }),
      page.getByLabel('Code d’échec').fill('3204'),
    ]);
    await expectLines(page, [12, 47]);
    expect(await page.getByRole('navigation', { name: /sur/ }).count()).toBe(0);
    await page.getByLabel('Code d’échec').fill('5104');
    await page.getByText('Aucune ligne ne correspond.').waitFor();

    await page.getByRole('button', { name: 'Effacer les filtres' }).click();
    await page.getByRole('navigation', { name: '1 à 50 sur 53' }).waitFor();
    expect(await page.getByLabel('Code d’échec').inputValue()).toBe('');
    await context.close();
  });
});

/**
 * Waits until the lines table shows exactly these file lines (header = 1), in order: each one there, none past
 * them (through locators: the page's CSP forbids the eval a string predicate would need).
 */
async function expectLines(page: Page, lineNumbers: number[]): Promise<void> {
  const rows = page.locator('table.lines tbody tr');
  for (const [index, line] of lineNumbers.entries())
    await rows
      .nth(index)
      .and(page.locator(`tr[data-line="${line}"]`))
      .waitFor();
  await rows.nth(lineNumbers.length).waitFor({ state: 'detached' });
}
