/**
 * A near-zero-cost stand-in for the scheme adapter's outbound API, for benchmarks only: it answers the four
 * calls our client makes at once, with the shapes the real adapter answers, so a benchmark against it measures
 * our own overhead (API, Temporal, Postgres) rather than the switch's. Never used by tests or the product.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInAdapter {
  url: string;
  /** How many transfers it committed (PUT acceptQuote), for checking nothing was paid twice. */
  committedCount(): number;
  close: () => Promise<void>;
}

export async function startStandInAdapter(): Promise<StandInAdapter> {
  const transfers = new Map<string, { amount: string; currency: string; committed: boolean }>();
  let committed = 0;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const id = request.url?.split('/')[2];
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      if (request.method === 'GET' && request.url === '/') return reply(200, {});
      if (request.method === 'POST' && request.url === '/transfers') {
        const transferId = randomUUID();
        transfers.set(transferId, { amount: body.amount, currency: body.currency, committed: false });
        return reply(200, {
          transferId,
          homeTransactionId: body.homeTransactionId,
          currentState: 'WAITING_FOR_PARTY_ACCEPTANCE',
          to: { ...body.to, fspId: 'standinfsp', firstName: 'Stand-in', lastName: body.to?.idValue },
        });
      }
      const transfer = id ? transfers.get(id) : undefined;
      if (!transfer) return reply(500, { statusCode: '3208', message: 'Transfer ID not found' });
      if (request.method === 'PUT' && body.acceptParty) {
        const money = (amount: string) => ({ amount, currency: transfer.currency });
        return reply(200, {
          transferId: id,
          currentState: 'WAITING_FOR_QUOTE_ACCEPTANCE',
          quoteId: randomUUID(),
          quoteResponse: {
            body: {
              transferAmount: money(transfer.amount),
              payeeReceiveAmount: money(transfer.amount),
              payeeFspFee: money('0'),
              payeeFspCommission: money('0'),
              expiration: new Date(Date.now() + 600_000).toISOString(),
            },
          },
        });
      }
      if (request.method === 'PUT' && body.acceptQuote) {
        if (!transfer.committed) committed += 1;
        transfer.committed = true;
        return reply(200, {
          transferId: id,
          currentState: 'COMPLETED',
          fulfil: {
            body: { transferState: 'COMMITTED', fulfilment: 'stand-in', completedTimestamp: new Date().toISOString() },
          },
        });
      }
      if (request.method === 'GET') {
        return reply(200, {
          transferId: id,
          fulfil: { body: { transferState: transfer.committed ? 'COMMITTED' : 'RESERVED' } },
        });
      }
      return reply(400, { message: 'unsupported' });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    committedCount: () => committed,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
