/** The mail that tells an organization's users one of its webhook endpoints was disabled (French, then English). */
import type { OutgoingMail } from './mailer';

export interface WebhookDisabledMailInput {
  email: string;
  firstName: string;
  url: string;
  reason: string;
  consoleUrl: string;
}

export function webhookDisabledMail(input: WebhookDisabledMailInput): OutgoingMail {
  const name = input.firstName.trim();
  const text = [
    name === '' ? 'Bonjour,' : `Bonjour ${name},`,
    '',
    "Le point de réception de webhooks suivant de votre organisation a été désactivé : il n'a accepté aucun",
    'événement depuis trois jours.',
    '',
    input.url,
    '',
    `Raison : ${input.reason}`,
    '',
    "Il ne reçoit plus d'événements. Corrigez le service qui les reçoit, puis enregistrez à nouveau le point",
    `de réception depuis la page Webhooks de la console (${input.consoleUrl}).`,
    '',
    '---',
    '',
    'This webhook endpoint of your organization was disabled: it accepted no event for three days.',
    `${input.url} (${input.reason})`,
    'It receives no more events. Fix the receiving service, then register the endpoint again from the',
    "console's Webhooks page.",
  ].join('\n');
  return { to: input.email, subject: 'Webhook désactivé / Webhook disabled', text };
}
