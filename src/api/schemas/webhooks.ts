/** The webhook endpoints of an organization, their deliveries and each delivery's attempts (src/webhooks/). */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/store/eventStore';
import { Count, idParam, page, Timestamp } from './common';

const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES).meta({ id: 'WebhookEventType' });

export const WebhookIdParams = z.object({ webhook_id: idParam() });

export const CreateWebhookRequest = z
  .object({
    url: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .meta({
        description: 'Where events are POSTed: https in production, to a public address (see README "Webhooks").',
        examples: ['https://erp.example.org/hooks/pensions'],
      }),
    events: z
      .array(WebhookEventType)
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length)
      .refine((events) => new Set(events).size === events.length, 'each event at most once')
      .meta({ description: 'The event types sent to it.' }),
    organization_id: z.int().min(1).optional().meta({
      description: "Staff: the organization it belongs to (required). Others: their own organization's, or omitted.",
    }),
  })
  .strict();

const Webhook = z
  .object({
    id: z.int(),
    organization_id: z.int(),
    url: z.string(),
    events: z.array(WebhookEventType),
    enabled: z.boolean().meta({ description: 'False once disabled after three days of failures: it gets no events.' }),
    disabled_at: Timestamp.nullable(),
    disabled_reason: z.string().nullable(),
    failing_since: Timestamp.nullable().meta({ description: 'Since when no attempt to it succeeded; null when fine.' }),
    created_at: Timestamp,
  })
  .meta({ id: 'Webhook' });

export const WebhookCreated = Webhook.extend({
  secret: z.string().meta({
    description:
      'The signing secret (`whsec_` + base64), shown in this answer only: keep it to verify the `webhook-signature` header.',
  }),
}).meta({ id: 'WebhookCreated' });

export const WebhookList = page(Webhook).meta({ id: 'WebhookList' });

export const WebhookTestSent = z
  .object({
    event_id: z.string().meta({ description: 'The `webhook-id` header the endpoint receives.' }),
    delivery_id: z.int(),
  })
  .meta({ id: 'WebhookTestSent' });

const DeliveryAttempt = z
  .object({
    attempted_at: Timestamp,
    http_status: z
      .int()
      .nullable()
      .meta({ description: 'Null when no answer came (refused, network error, timeout).' }),
    duration_ms: Count,
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookDeliveryAttempt' });

const Delivery = z
  .object({
    id: z.int(),
    event_id: z.string(),
    event_type: z.string(),
    state: z.enum(['PENDING', 'DELIVERED', 'FAILED', 'STOPPED']).meta({
      description: 'PENDING while retried; STOPPED when its endpoint was disabled or deleted; FAILED after three days.',
    }),
    created_at: Timestamp,
    completed_at: Timestamp.nullable(),
    failure_reason: z.string().nullable(),
    attempts: z.array(DeliveryAttempt).meta({ description: 'Oldest first.' }),
  })
  .meta({ id: 'WebhookDelivery' });

export const WebhookDeliveryList = page(Delivery).meta({ id: 'WebhookDeliveryList' });
