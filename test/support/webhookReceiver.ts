/**
 * A real HTTP receiver for webhook tests (node:http on 127.0.0.1, an ephemeral port): it keeps every request it
 * gets and answers each with the next status its test gave for that path (200 once they are used up).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { newWebhookSecret } from '../../src/webhooks/rules/signatureRules';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  received: ReceivedWebhook[];
  /** The statuses the next requests to `path` are answered with, in order. */
  answerNext(path: string, statuses: number[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const planned = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = planned.get(path)?.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    answerNext: (path, statuses) => planned.set(path, [...statuses]),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** An endpoint registered straight in the database (the API's own tests register through the routes). */
export async function insertWebhookEndpoint(
  knex: Knex,
  organizationId: number,
  url: string,
  events: string[],
): Promise<{ id: number; secret: string }> {
  const secret = newWebhookSecret();
  const [row] = await knex('webhook_endpoints')
    .insert({ organization_id: organizationId, url, events, secret })
    .returning<Array<{ id: string }>>('id');
  return { id: Number(row!.id), secret };
}
