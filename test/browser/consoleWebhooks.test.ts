/**
 * The Webhooks page in a real Chromium, against the real API, Temporal (a worker delivers) and a real HTTP receiver:
 * a GESTIONNAIRE registers an endpoint and sees its secret once, sends a test event that the receiver verifies with
 * that secret, reads the delivery and its attempt, and deletes the endpoint.
 */
import { Webhook } from 'standardwebhooks';
import { closeDb } from '../support/database';
import { type ConsoleHarness, signIn, startConsoleHarness } from '../support/consoleHarness';
import { createAccount, createOrganization, createUser } from '../support/fixtures';
import { waitFor } from '../support/payoutHarness';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

describe('the console: webhooks, in a real browser', () => {
  let harness: ConsoleHarness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    harness = await startConsoleHarness({ name: 'console-webhooks', worker: true });
  });

  afterAll(async () => {
    await harness?.stop();
    await receiver?.close();
    await closeDb();
  });

  it('registers an endpoint (secret shown once), sends a signed test event, shows its delivery, deletes it', async () => {
    const organization = await createOrganization();
    await createAccount({ organizationId: organization.id, balance: 1_000_000n });
    const gestionnaire = await createUser({ organizationId: organization.id, role: 'GESTIONNAIRE' });
    const url = `${receiver.baseUrl}/erp-${organization.id}`;

    const { page, context, violations } = await harness.newPage();
    await signIn(page, gestionnaire.email, gestionnaire.password);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('Aucun webhook enregistré.').waitFor();
    await page.getByLabel('URL de réception').fill(url);
    await page.getByLabel('transfer.on_hold').check();
    await page.getByRole('button', { name: 'Enregistrer un webhook' }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    const row = page.locator(`tr[data-webhook="${url}"]`);
    await row.getByText('bulk.completed, bulk.failed, transfer.on_hold').waitFor();

    await row.getByRole('button', { name: 'Envoyer un test' }).click();
    await page.getByText(/^Événement de test .+ envoyé\.$/).waitFor();
    const received = await waitFor(async () =>
      receiver.received.find((request) => request.path === new URL(url).pathname),
    );
    const event = new Webhook(secret).verify(received.body, {
      'webhook-id': String(received.headers['webhook-id']),
      'webhook-timestamp': String(received.headers['webhook-timestamp']),
      'webhook-signature': String(received.headers['webhook-signature']),
    });
    expect(event).toMatchObject({ type: 'webhook.test' });

    await row.getByRole('button', { name: 'Livraisons' }).click();
    const deliveries = page.getByTestId('webhook-deliveries');
    // The delivery is read when the section opens: read again until the worker has recorded it delivered.
    await waitFor(async () => {
      await page.getByRole('button', { name: 'Réessayer' }).click();
      return (await deliveries.locator('.badge', { hasText: 'Livrée' }).count()) === 1;
    });
    await deliveries.getByText(/HTTP 200 en \d+ ms/).waitFor();

    await row.getByRole('button', { name: 'Supprimer' }).click();
    await page.getByRole('group', { name: 'Supprimer' }).getByRole('button', { name: 'Supprimer' }).click();
    await page.getByText('Aucun webhook enregistré.').waitFor();
    expect(violations).toEqual([]);
    await context.close();
  });
});
