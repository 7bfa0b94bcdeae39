/**
 * /api/webhooks: the organization's signed webhook endpoints (src/webhooks/endpointUseCases.ts). A GESTIONNAIRE
 * manages their own organization's, staff any organization's (naming it with organization_id); another
 * organization's endpoint is 404.
 */
import { z } from 'zod';
import {
  deleteWebhook,
  listWebhookDeliveries,
  listWebhooks,
  registerWebhook,
  sendTestEvent,
} from '../../webhooks/endpointUseCases';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE } from '../../webhooks/store/eventStore';
import { MayManageWebhooks } from '../http/guards';
import { queryId, queryInteger } from '../http/queryParams';
import { defineRoute } from '../http/routeDefinition';
import { FieldErrors } from '../schemas/common';
import {
  CreateWebhookRequest,
  WebhookCreated,
  WebhookDeliveryList,
  WebhookIdParams,
  WebhookList,
  WebhookTestSent,
} from '../schemas/webhooks';

const tag = 'webhooks';
const managers = { kind: 'user', guards: [MayManageWebhooks] } as const;
const urlErrors = [
  { code: 'webhook_url_invalid', details: FieldErrors },
  { code: 'webhook_url_not_https', details: FieldErrors },
  { code: 'webhook_address_forbidden', details: FieldErrors },
  { code: 'webhook_url_unresolvable', details: FieldErrors },
  { code: 'organization_required', details: FieldErrors },
];

const create = defineRoute({
  method: 'post',
  path: '/api/webhooks',
  operationId: 'createWebhook',
  tag,
  summary: 'Register a webhook endpoint',
  description:
    `Events: ${WEBHOOK_EVENT_TYPES.join(', ')}. Each is POSTed as \`{id, type, created_at, data}\`, signed as Standard ` +
    'Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the secret of this answer, shown only here.',
  access: managers,
  body: { kind: 'json', schema: CreateWebhookRequest },
  answers: { 201: { description: 'Registered, with its secret.', schema: WebhookCreated } },
  errors: { 400: urlErrors },
  handler: async ({ scope, user, body }) => ({
    status: 201,
    body: await registerWebhook(scope, user, {
      url: body.url,
      events: body.events,
      organizationId: body.organization_id,
    }),
  }),
});

const list = defineRoute({
  method: 'get',
  path: '/api/webhooks',
  operationId: 'listWebhooks',
  tag,
  summary: "The organization's webhook endpoints (without their secrets)",
  access: managers,
  query: z.object({
    organization_id: queryId().meta({
      description: "Staff: required, the organization's. Others: their own or nothing.",
    }),
    limit: queryInteger({ defaultValue: 50, min: 1, max: 200 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'A page of endpoints.', schema: WebhookList } },
  errors: { 400: [{ code: 'organization_required', details: FieldErrors }] },
  handler: async ({ scope, user, query }) => ({
    status: 200,
    body: await listWebhooks(scope, user, {
      organizationId: query.organization_id ?? undefined,
      limit: query.limit,
      offset: query.offset,
    }),
  }),
});

const remove = defineRoute({
  method: 'delete',
  path: '/api/webhooks/:webhook_id',
  operationId: 'deleteWebhook',
  tag,
  summary: 'Delete a webhook endpoint',
  description: 'It gets no new events and its deliveries still being retried stop.',
  access: managers,
  params: WebhookIdParams,
  answers: { 204: { description: 'Deleted.', empty: true } },
  handler: async ({ scope, user, params }) => {
    await deleteWebhook(scope, user, params.webhook_id);
    return { status: 204, body: null };
  },
});

const test = defineRoute({
  method: 'post',
  path: '/api/webhooks/:webhook_id/test',
  operationId: 'testWebhook',
  tag,
  summary: `Send a \`${WEBHOOK_TEST_EVENT_TYPE}\` event to this endpoint`,
  description:
    'Recorded and delivered (signed, retried) as any event; its attempts show in the deliveries. At most ' +
    'WEBHOOK_TEST_RATE_LIMIT_MAX tests per endpoint per WEBHOOK_TEST_RATE_LIMIT_WINDOW_SECONDS; past it, 429 ' +
    '`rate_limited` with Retry-After.',
  access: managers,
  params: WebhookIdParams,
  answers: { 202: { description: 'Recorded; being delivered.', schema: WebhookTestSent } },
  errors: { 409: ['webhook_disabled'], 429: ['rate_limited'] },
  handler: async ({ scope, user, params }) => ({
    status: 202,
    body: await sendTestEvent(scope, user, params.webhook_id),
  }),
});

const deliveries = defineRoute({
  method: 'get',
  path: '/api/webhooks/:webhook_id/deliveries',
  operationId: 'listWebhookDeliveries',
  tag,
  summary: "The endpoint's deliveries, newest first, each with its attempts",
  access: managers,
  params: WebhookIdParams,
  query: z.object({
    limit: queryInteger({ defaultValue: 50, min: 1, max: 200 }),
    offset: queryInteger({ defaultValue: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  }),
  answers: { 200: { description: 'A page of deliveries.', schema: WebhookDeliveryList } },
  handler: async ({ scope, user, params, query }) => ({
    status: 200,
    body: await listWebhookDeliveries(scope, user, params.webhook_id, { limit: query.limit, offset: query.offset }),
  }),
});

export const webhookRoutes = [create, list, remove, test, deliveries];
