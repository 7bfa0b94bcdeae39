/**
 * Signed webhooks end to end: a bulk paid on the real Temporal dev server through the real Mojaloop peer, its
 * events recorded with its changes and delivered by their own workflows to a real HTTP receiver in this test,
 * which verifies each signature with the `standardwebhooks` library. Also the retries (500, 500, then 200), the
 * address rules at delivery (nothing sent to a forbidden address), and the disabling of a failing endpoint.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { Webhook } from 'standardwebhooks';
import { createWebhookActivities } from '../../activities/webhooks/webhookActivities';
import { config } from '../../src/config';
import { closeDb, db } from '../support/database';
import { closeBulk } from '../../src/payouts/store/bulkStore';
import { startBulkPayout } from '../../src/payouts/payoutClient';
import { resolveCheckedAddresses } from '../../src/webhooks/deliveryHttpClient';
import { startWebhookDeliveries } from '../../src/webhooks/webhookClient';
import { recordWebhookEvent } from '../../src/payouts/store/payoutEventStore';
import { logger } from '../../src/logging/logger';
import type { WebhookRetry } from '../../src/webhooks/contract';
import { workflowIdForWebhookDelivery } from '../../src/webhooks/contract';
import {
  adapterClient,
  bulkWorkflowResult,
  connectTemporal,
  createPayerAccount,
  insertBulk,
  payoutWorker,
  type RunningPeer,
  type TemporalForTests,
  uniqueTaskQueue,
  useMojaloopPeer,
  waitFor,
} from '../support/payoutHarness';
import { insertWebhookEndpoint, startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

/** Short enough that three attempts take well under a second or two; the production default is three days. */
const TEST_RETRY: WebhookRetry = { initialIntervalMs: 200, maximumIntervalMs: 400, budgetMs: 60_000 };
const PRODUCTION_POLICY = { allowHttp: false, allowPrivateAddresses: false };
const LOCAL_POLICY = { allowHttp: true, allowPrivateAddresses: true };

interface AttemptRow {
  http_status: number | null;
  error: string | null;
}

async function deliveryOf(endpointId: number, eventType: string) {
  return db()('webhook_deliveries as d')
    .join('webhook_events as e', 'e.id', 'd.event_id')
    .where({ 'd.endpoint_id': endpointId, 'e.type': eventType })
    .select<Array<{ id: string; state: string; event_id: string; body: string }>>(
      'd.id',
      'd.state',
      'd.event_id',
      'e.body',
    );
}

async function attemptsOf(deliveryId: string | number): Promise<AttemptRow[]> {
  return db()('webhook_delivery_attempts')
    .where('delivery_id', deliveryId)
    .orderBy('id')
    .select('http_status', 'error');
}

describe('webhooks', () => {
  let peer: RunningPeer;
  let temporal: TemporalForTests;
  let receiver: WebhookReceiver;
  const taskQueue = uniqueTaskQueue('webhooks');

  beforeAll(async () => {
    peer = await useMojaloopPeer();
    temporal = await connectTemporal();
    receiver = await startWebhookReceiver();
  });

  /** A Temporal Worker runs once: each test that pays gets its own, on the file's task queue. */
  const localWorker = (): Promise<Worker> =>
    payoutWorker(temporal, taskQueue, {
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      webhooks: { addressPolicy: LOCAL_POLICY, timeoutMs: 5000, retry: TEST_RETRY, mail: config().email },
    });

  afterAll(async () => {
    await receiver?.close();
    await temporal?.close();
    await peer?.stop();
    await closeDb();
  });

  it('delivers bulk.completed once for a bulk, signed, under one stable event id; lines only to who asks', async () => {
    const payer = await createPayerAccount(db(), 1_000_000n);
    const all = await insertWebhookEndpoint(db(), payer.organizationId, `${receiver.baseUrl}/all`, [
      'bulk.processing',
      'bulk.completed',
      'transfer.completed',
    ]);
    const bulkOnly = await insertWebhookEndpoint(db(), payer.organizationId, `${receiver.baseUrl}/bulk-only`, [
      'bulk.completed',
    ]);
    const bulk = await insertBulk(db(), payer, [
      { msisdn: '22997000301', amount: 40000n },
      { msisdn: '22997000302', amount: 30000n },
    ]);

    await (
      await localWorker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      expect(await bulkWorkflowResult(temporal, bulk.bulkId)).toMatchObject({ state: 'COMPLETED', completed: 2 });
      await waitFor(async () => {
        const states = await db()('webhook_deliveries').whereIn('endpoint_id', [all.id, bulkOnly.id]).pluck('state');
        return states.length === 5 && states.every((state) => state === 'DELIVERED');
      });
    });

    const forThisBulk = receiver.received.filter((request) => {
      const event = JSON.parse(request.body);
      return event.type === 'bulk.completed' && event.data.bulk_id === bulk.bulkId;
    });
    expect(forThisBulk.map((request) => request.path).sort()).toEqual(['/all', '/bulk-only']);
    // One event, sent to both endpoints under the same id; each signed with its endpoint's own secret.
    const [toAll, toBulkOnly] = ['/all', '/bulk-only'].map((where) => forThisBulk.find((r) => r.path === where)!);
    expect(toAll!.headers['webhook-id']).toBe(toBulkOnly!.headers['webhook-id']);
    const payload = new Webhook(all.secret).verify(toAll!.body, headersOf(toAll!.headers)) as Record<string, unknown>;
    new Webhook(bulkOnly.secret).verify(toBulkOnly!.body, headersOf(toBulkOnly!.headers));
    expect(() => new Webhook(bulkOnly.secret).verify(toAll!.body, headersOf(toAll!.headers))).toThrow();
    expect(payload).toMatchObject({
      id: toAll!.headers['webhook-id'],
      type: 'bulk.completed',
      created_at: expect.any(String),
      data: {
        bulk_id: bulk.bulkId,
        state: 'COMPLETED',
        total_amount: 70000,
        currency: 'XOF',
        statistics: { total: 2, completed: 2, failed: 0, pending: 0, processing: 0 },
      },
    });

    // The lines' events went to the endpoint that asked for them, each with the line as /details shows it.
    const lines = receiver.received
      .filter((request) => request.path === '/all' && JSON.parse(request.body).type === 'transfer.completed')
      .map((request) => JSON.parse(request.body).data)
      .filter((data) => data.bulk_id === bulk.bulkId);
    expect(lines.map((line) => [line.payee_party_identifier, line.status, line.amount]).sort()).toEqual([
      ['22997000301', 'COMPLETED', 40000],
      ['22997000302', 'COMPLETED', 30000],
    ]);
    expect(receiver.received.filter((request) => request.path === '/bulk-only').length).toBe(1);

    // Closing again (a retried activity) and recording again find the event recorded: nothing new to deliver.
    const again: number[] = [];
    await closeBulk(db(), bulk.bulkId, again);
    await db().transaction(async (trx) =>
      again.push(...(await recordWebhookEvent(trx, { type: 'bulk.completed', bulkId: bulk.bulkId }))),
    );
    expect(again).toEqual([]);
    expect(await deliveryOf(all.id, 'bulk.completed')).toHaveLength(1);
  });

  it('retries an endpoint that answers 500: the attempts are recorded 500, 500, 200 under the same webhook-id', async () => {
    const payer = await createPayerAccount(db(), 1_000_000n);
    const flaky = await insertWebhookEndpoint(db(), payer.organizationId, `${receiver.baseUrl}/flaky`, [
      'bulk.completed',
    ]);
    receiver.answerNext('/flaky', [500, 500]);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000303', amount: 10000n }]);

    await (
      await localWorker()
    ).runUntil(async () => {
      await startBulkPayout(temporal, taskQueue, bulk.bulkId);
      await bulkWorkflowResult(temporal, bulk.bulkId);
      await waitFor(async () => (await deliveryOf(flaky.id, 'bulk.completed'))[0]?.state === 'DELIVERED');
    });

    const [delivery] = await deliveryOf(flaky.id, 'bulk.completed');
    expect((await attemptsOf(delivery!.id)).map((attempt) => attempt.http_status)).toEqual([500, 500, 200]);
    const requests = receiver.received.filter((request) => request.path === '/flaky');
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((request) => request.headers['webhook-id']))).toEqual(new Set([delivery!.event_id]));
    for (const request of requests) new Webhook(flaky.secret).verify(request.body, headersOf(request.headers));
    // Visible to an operator as its own workflow, under the delivery's id.
    const described = await temporal.client.workflow
      .getHandle(workflowIdForWebhookDelivery(Number(delivery!.id)))
      .describe();
    expect(described.type).toBe('webhookDeliveryWorkflow');
  });

  it('sends nothing to a forbidden address when the configuration forbids it, and records why', async () => {
    const payer = await createPayerAccount(db(), 1_000_000n);
    const loopback = await insertWebhookEndpoint(db(), payer.organizationId, `${receiver.baseUrl}/forbidden`, [
      'bulk.failed',
    ]);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000304', amount: 10000n }]);
    const deliveries = await db().transaction((trx) =>
      recordWebhookEvent(trx, { type: 'bulk.failed', bulkId: bulk.bulkId }),
    );
    expect(deliveries).toHaveLength(1);

    // A worker that refuses non-public addresses, as production does (http is let through here, so the address
    // rule is the one that refuses).
    const strictQueue = uniqueTaskQueue('webhooks-strict');
    const strict = await payoutWorker(temporal, strictQueue, {
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      webhooks: {
        addressPolicy: { allowHttp: true, allowPrivateAddresses: false },
        timeoutMs: 5000,
        retry: TEST_RETRY,
      },
    });
    await strict.runUntil(async () => {
      await startWebhookDeliveries(
        db(),
        {
          temporal: { handle: { client: temporal.client, connection: temporal.connection }, taskQueue: strictQueue },
          retry: TEST_RETRY,
          log: logger,
        },
        deliveries,
      );
      await waitFor(async () => (await deliveryOf(loopback.id, 'bulk.failed'))[0]?.state === 'FAILED');
    });

    expect(receiver.received.filter((request) => request.path === '/forbidden')).toEqual([]);
    const [attempt, ...more] = await attemptsOf(deliveries[0]!);
    expect(more).toEqual([]); // refused for good, not retried
    expect(attempt).toEqual({ http_status: null, error: expect.stringMatching(/^refused: .*127\.0\.0\.1/) });
    // A refusal is not the endpoint's failure to answer: it stays registered.
    expect(await db()('webhook_endpoints').where('id', loopback.id).first('enabled')).toEqual({ enabled: true });

    // The check is on what the name resolves to at delivery time, not only on the URL's text.
    const resolved = await resolveCheckedAddresses(new URL('https://localhost/hooks'), PRODUCTION_POLICY);
    expect(resolved).toEqual({ refusal: expect.objectContaining({ code: 'webhook_address_forbidden' }) });
  });

  it("disables an endpoint failing past its limit, stops its deliveries and tells the organization's users", async () => {
    const payer = await createPayerAccount(db(), 1_000_000n);
    const email = `webhooks.${payer.organizationCode.toLowerCase()}@test.example`;
    await db()('users').insert({ email, first_name: 'Awa', organization_id: payer.organizationId, password_hash: 'x' });
    const dead = await insertWebhookEndpoint(db(), payer.organizationId, `${receiver.baseUrl}/dead`, [
      'bulk.processing',
      'bulk.failed',
    ]);
    receiver.answerNext('/dead', [503]);
    const bulk = await insertBulk(db(), payer, [{ msisdn: '22997000305', amount: 10000n }]);
    const [first, second] = await db().transaction(async (trx) => [
      ...(await recordWebhookEvent(trx, { type: 'bulk.processing', bulkId: bulk.bulkId })),
      ...(await recordWebhookEvent(trx, { type: 'bulk.failed', bulkId: bulk.bulkId })),
    ]);

    // The activity itself, with a failing streak that counts as three days at once.
    const activities = createWebhookActivities({
      db: db(),
      adapter: adapterClient(peer.outboundUrl),
      settings: { maxFeeMinorUnits: 0n, payoutConcurrency: 1, pageSize: 10 },
      webhooks: { addressPolicy: LOCAL_POLICY, timeoutMs: 5000, disableAfterMs: 0, mail: config().email },
    });
    expect(await activities.deliverWebhook(first!)).toBe('STOPPED');

    const endpoint = await db()('webhook_endpoints').where('id', dead.id).first('enabled', 'disabled_reason');
    expect(endpoint).toEqual({ enabled: false, disabled_reason: expect.any(String) });
    expect((await attemptsOf(first!)).map((attempt) => attempt.http_status)).toEqual([503]);
    // The other pending delivery stops without being sent.
    expect(await activities.deliverWebhook(second!)).toBe('STOPPED');
    expect(receiver.received.filter((request) => request.path === '/dead')).toHaveLength(1);
    const audit = await db()('audit_log')
      .where({ subject_type: 'webhook', subject_id: String(dead.id) })
      .select('kind', 'actor_user_id');
    expect(audit).toEqual([{ kind: 'webhook.disabled', actor_user_id: null }]);

    const outbox = path.resolve(config().email.outboxDir);
    const mails = await Promise.all((await readdir(outbox)).map((file) => readFile(path.join(outbox, file), 'utf8')));
    const told = mails.filter((mail) => mail.includes(`To: ${email}`));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('/dead');
  });
});

function headersOf(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return {
    'webhook-id': String(headers['webhook-id']),
    'webhook-timestamp': String(headers['webhook-timestamp']),
    'webhook-signature': String(headers['webhook-signature']),
  };
}
