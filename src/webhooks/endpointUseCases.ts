/**
 * What the /api/webhooks routes do: an organization's endpoints (register, list, delete), a test event through
 * the real delivery path, and each endpoint's deliveries with their attempts. A GESTIONNAIRE acts on their own
 * organization's endpoints, staff on any organization's; another organization's endpoint is 404. Registering and
 * deleting are in the audit log (never the secret).
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { recordAudit } from '../audit/auditLog';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import type { Config } from '../config';
import { ConflictError, ValidationError } from '../errors';
import { notFound } from '../organizations/organizationScope';
import { countHit } from '../rateLimits/fixedWindow';
import { auditContextOf, type RequestScope } from '../requests/requestScope';
import { webhookUrlRefusal } from './rules/addressRules';
import { stopPendingDeliveries } from './store/deliveryStore';
import { resolveCheckedAddresses } from './deliveryHttpClient';
import { startWebhookDeliveries } from './webhookClient';
import { insertEvents, newEvent, WEBHOOK_TEST_EVENT_TYPE, type WebhookEventType } from './store/eventStore';
import { newWebhookSecret } from './rules/signatureRules';

interface EndpointRow {
  id: string;
  organization_id: number;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  failing_since: Date | null;
  created_at: Date;
}

const ENDPOINT_COLUMNS = [
  'id',
  'organization_id',
  'url',
  'events',
  'enabled',
  'disabled_at',
  'disabled_reason',
  'failing_since',
  'created_at',
];

function endpointView(row: EndpointRow) {
  return {
    id: Number(row.id),
    organization_id: row.organization_id,
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    disabled_at: row.disabled_at?.toISOString() ?? null,
    disabled_reason: row.disabled_reason,
    failing_since: row.failing_since?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

/**
 * The organization whose endpoints the caller acts on: a GESTIONNAIRE's own (naming another one matches nothing:
 * 404), or the one staff name.
 */
async function organizationOf(knex: Knex, user: AuthenticatedUser, requested: number | undefined): Promise<number> {
  if (!user.isStaff) {
    if (user.organizationId === null || (requested !== undefined && requested !== user.organizationId))
      throw notFound();
    return user.organizationId;
  }
  const organizationId = requested ?? user.organizationId;
  if (organizationId === null || organizationId === undefined)
    throw new ValidationError(
      'organization_required',
      {
        fr: "Indiquez organization_id : l'organisation à laquelle appartient le webhook.",
        en: 'Give organization_id: the organization the webhook belongs to.',
      },
      { organization_id: ['required for staff'] },
    );
  const organization = await knex('organizations').where('id', organizationId).first<{ id: number } | undefined>('id');
  if (!organization) throw notFound();
  return organizationId;
}

/** A live (not deleted) endpoint the caller may act on; 404 otherwise. */
async function loadEndpoint(knex: Knex, user: AuthenticatedUser, webhookId: number): Promise<EndpointRow> {
  const row = await knex('webhook_endpoints')
    .where('id', webhookId)
    .whereNull('deleted_at')
    .first<EndpointRow | undefined>(ENDPOINT_COLUMNS);
  if (!row) throw notFound();
  if (!user.isStaff && row.organization_id !== user.organizationId) throw notFound();
  return row;
}

export interface NewWebhook {
  url: string;
  events: WebhookEventType[];
  organizationId?: number;
}

/** Registers an endpoint; the answer is the only time its secret is shown. */
export async function registerWebhook(scope: RequestScope, user: AuthenticatedUser, request: NewWebhook) {
  const organizationId = await organizationOf(scope.db, user, request.organizationId);
  await refuseForbiddenUrl(scope.config, request.url);
  const secret = newWebhookSecret();
  return scope.db.transaction(async (trx) => {
    const [row] = await trx('webhook_endpoints')
      .insert({
        organization_id: organizationId,
        url: request.url,
        events: request.events,
        secret,
        created_by_id: user.id,
      })
      .returning<EndpointRow[]>(ENDPOINT_COLUMNS);
    if (!row) throw new Error('webhook endpoint insert returned no row');
    await recordAudit(trx, {
      ...auditContextOf(scope, user),
      kind: 'webhook.created',
      organizationId,
      subject: { type: 'webhook', id: Number(row.id) },
      after: { url: row.url, events: row.events },
    });
    return { ...endpointView(row), secret };
  });
}

/** The URL rules of the configuration, and (when private addresses are refused) the addresses it resolves to now. */
async function refuseForbiddenUrl(config: Config, url: string): Promise<void> {
  const policy = config.webhooks.addressPolicy;
  const refusal = webhookUrlRefusal(url, policy);
  if (refusal) throw new ValidationError(refusal.code, refusal.message, { url: [refusal.message.en] });
  if (policy.allowPrivateAddresses) return;
  const resolved = await resolveCheckedAddresses(new URL(url), policy);
  if ('refusal' in resolved)
    throw new ValidationError(resolved.refusal.code, resolved.refusal.message, { url: [resolved.refusal.message.en] });
  if ('error' in resolved)
    throw new ValidationError(
      'webhook_url_unresolvable',
      { fr: "Le nom d'hôte de l'URL ne se résout pas.", en: "The URL's host name does not resolve." },
      { url: [resolved.error] },
    );
}

export async function listWebhooks(
  scope: RequestScope,
  user: AuthenticatedUser,
  filters: { organizationId?: number; limit: number; offset: number },
) {
  const organizationId = await organizationOf(scope.db, user, filters.organizationId);
  const live = scope.db('webhook_endpoints').where('organization_id', organizationId).whereNull('deleted_at');
  const [counted] = await live.clone().count<Array<{ count: string }>>('* as count');
  const rows = await live
    .clone()
    .orderBy('id')
    .limit(filters.limit)
    .offset(filters.offset)
    .select<EndpointRow[]>(ENDPOINT_COLUMNS);
  return {
    total: Number(counted?.count ?? 0),
    count: rows.length,
    limit: filters.limit,
    offset: filters.offset,
    results: rows.map(endpointView),
  };
}

/** Deletes the endpoint: it gets no new events and its pending deliveries stop; its history stays readable by staff. */
export async function deleteWebhook(scope: RequestScope, user: AuthenticatedUser, webhookId: number): Promise<void> {
  const endpoint = await loadEndpoint(scope.db, user, webhookId);
  await scope.db.transaction(async (trx) => {
    const deleted = await trx('webhook_endpoints')
      .where('id', webhookId)
      .whereNull('deleted_at')
      .update({ deleted_at: trx.fn.now(), updated_at: trx.fn.now() });
    if (deleted !== 1) throw notFound();
    await stopPendingDeliveries(trx, webhookId, 'its endpoint was deleted');
    await recordAudit(trx, {
      ...auditContextOf(scope, user),
      kind: 'webhook.deleted',
      organizationId: endpoint.organization_id,
      subject: { type: 'webhook', id: webhookId },
      before: { url: endpoint.url, events: endpoint.events, enabled: endpoint.enabled },
    });
  });
}

/** A `webhook.test` event to this endpoint only, recorded and delivered as any other. */
export async function sendTestEvent(scope: RequestScope, user: AuthenticatedUser, webhookId: number) {
  const endpoint = await loadEndpoint(scope.db, user, webhookId);
  if (!endpoint.enabled)
    throw new ConflictError('webhook_disabled', {
      fr: 'Ce webhook est désactivé : enregistrez-le à nouveau.',
      en: 'This webhook is disabled: register it again.',
    });
  // Counted once the endpoint is known to be the caller's: another organization's id stays a plain 404.
  await countHit(scope.db, { scope: 'webhook_test', ...scope.config.webhooks.testRateLimit }, String(endpoint.id), {
    fr: 'Trop de tests pour ce webhook. Réessayez plus tard.',
    en: 'Too many tests of this webhook. Try again later.',
  });
  const event = newEvent(WEBHOOK_TEST_EVENT_TYPE, `${WEBHOOK_TEST_EVENT_TYPE}:${randomUUID()}`, {
    webhook_id: Number(endpoint.id),
    organization_id: endpoint.organization_id,
    requested_by: user.email,
  });
  const [deliveryId] = await scope.db.transaction((trx) =>
    insertEvents(trx, endpoint.organization_id, [event], [{ id: Number(endpoint.id) }]),
  );
  if (deliveryId === undefined) throw new Error('test event recorded no delivery');
  try {
    const handle = await scope.temporal();
    await startWebhookDeliveries(
      scope.db,
      {
        temporal: { handle, taskQueue: scope.config.temporal.taskQueue },
        retry: scope.config.webhooks.retry,
        log: scope.log,
      },
      [deliveryId],
    );
  } catch (error) {
    // Recorded: the delivery sweep starts it once Temporal answers again.
    scope.log.warn({ err: error, deliveryId }, 'Temporal unreachable; the test event waits for the sweep');
  }
  return { event_id: event.id, delivery_id: deliveryId };
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  state: 'PENDING' | 'DELIVERED' | 'FAILED' | 'STOPPED';
  created_at: Date;
  completed_at: Date | null;
  failure_reason: string | null;
}

/** The endpoint's deliveries, newest first, each with its attempts oldest first. */
export async function listWebhookDeliveries(
  scope: RequestScope,
  user: AuthenticatedUser,
  webhookId: number,
  pageOf: { limit: number; offset: number },
) {
  const endpoint = await loadEndpoint(scope.db, user, webhookId);
  const deliveries = scope.db('webhook_deliveries').where('endpoint_id', endpoint.id);
  const [counted] = await deliveries.clone().count<Array<{ count: string }>>('* as count');
  const rows = await deliveries
    .clone()
    .join('webhook_events as ev', 'ev.id', 'webhook_deliveries.event_id')
    .orderBy('webhook_deliveries.id', 'desc')
    .limit(pageOf.limit)
    .offset(pageOf.offset)
    .select<DeliveryRow[]>(
      'webhook_deliveries.id',
      'webhook_deliveries.event_id',
      'ev.type as event_type',
      'webhook_deliveries.state',
      'webhook_deliveries.created_at',
      'webhook_deliveries.completed_at',
      'webhook_deliveries.failure_reason',
    );
  const attempts = await scope
    .db('webhook_delivery_attempts')
    .whereIn(
      'delivery_id',
      rows.map((row) => row.id),
    )
    .orderBy('id')
    .select<
      Array<{
        delivery_id: string;
        attempted_at: Date;
        http_status: number | null;
        duration_ms: number;
        error: string | null;
      }>
    >('delivery_id', 'attempted_at', 'http_status', 'duration_ms', 'error');
  return {
    total: Number(counted?.count ?? 0),
    count: rows.length,
    limit: pageOf.limit,
    offset: pageOf.offset,
    results: rows.map((row) => ({
      id: Number(row.id),
      event_id: row.event_id,
      event_type: row.event_type,
      state: row.state,
      created_at: row.created_at.toISOString(),
      completed_at: row.completed_at?.toISOString() ?? null,
      failure_reason: row.failure_reason,
      attempts: attempts
        .filter((attempt) => attempt.delivery_id === row.id)
        .map((attempt) => ({
          attempted_at: attempt.attempted_at.toISOString(),
          http_status: attempt.http_status,
          duration_ms: attempt.duration_ms,
          error: attempt.error,
        })),
    })),
  };
}
