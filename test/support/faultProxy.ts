/**
 * A fault-injecting HTTP proxy for tests, put between our scheme adapter client and the REAL adapter's outbound
 * API. Nothing is simulated: every call it lets through is answered by the real adapter (and the switch behind
 * it); the proxy only breaks the path, the way a network, a load balancer or an adapter crash would:
 *
 *   status          answered by the proxy (e.g. 502/503 without a Mojaloop code); the adapter never saw it
 *   hang            never forwarded, never answered: our client times out; the adapter never saw it
 *   reset           never forwarded, the connection is reset
 *   forwardThenHang the adapter acts, its answer is withheld until our client gives up (a slow answer)
 *   forwardThenReset the adapter acts, then the connection is reset: we never see its answer
 *   forwardThenDelay the adapter acts, its answer reaches us `delayMs` later (within our timeout: a slow answer
 *                   that still arrives; tests use the pause to arrange something else first)
 *   holdUntil       held (not forwarded) until `release` resolves, then forwarded and answered as usual if our
 *                   client is still waiting (tests use it to keep a bulk open while they do something)
 *   forwardThenHoldUntil the adapter acts, its answer reaches us once `release` resolves (a test arranges
 *                   something first, e.g. a row lock the answer's write will meet, however slow the machine)
 *   forwardLate     held until our client has given up, THEN forwarded (a request stuck in a queue);
 *                   the adapter acts on it after our retry has already started; its answer is discarded
 *   goDown          forwarded and answered normally, then the proxy stops listening for `downForMs`:
 *                   every connection attempt meanwhile is refused (ECONNREFUSED), as with an adapter down
 *
 * The proxy reads enough of each call to name it: the step (POST /transfers = discover, PUT acceptParty = quote,
 * PUT acceptQuote = transfer, GET /transfers/{id} = lookup), our homeTransactionId (from the POST body, and for
 * later calls from the adapter transfer id the POST's answer carried, even when that answer was withheld) and the
 * attempt number of that step for that line, so a test can fault exactly the calls it means to.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ProxiedStep = 'discover' | 'quote' | 'transfer' | 'lookup' | 'other';

export interface ProxiedCall {
  step: ProxiedStep;
  method: string;
  path: string;
  /** Our id for the line (homeTransactionId), when the proxy could tell. */
  homeTransactionId: string | null;
  /** The adapter's transfer id: in the path of PUT/GET, from the answer of a POST. */
  adapterTransferId: string | null;
  /** 1 for the first call of this step for this line, 2 for the next... (lines told apart by homeTransactionId). */
  attempt: number;
}

export type FaultAction =
  | { kind: 'forward' }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'forwardThenHang' }
  | { kind: 'forwardThenReset' }
  | { kind: 'forwardThenDelay'; delayMs: number }
  | { kind: 'holdUntil'; release: Promise<void> }
  | { kind: 'forwardThenHoldUntil'; release: Promise<void> }
  | { kind: 'forwardLate'; delayMs: number }
  | { kind: 'goDown'; downForMs: number };

export type FaultPolicy = (call: ProxiedCall) => FaultAction;

export interface ProxyLogEntry extends ProxiedCall {
  action: FaultAction['kind'];
  /** The adapter's HTTP status when the call reached it (null: it never did, or we stopped waiting). */
  adapterStatus: number | null;
  /** Whether our client got the adapter's answer. */
  answered: boolean;
}

export interface FaultProxy {
  /** Where our client should send its calls, e.g. http://127.0.0.1:43121 */
  url: string;
  /** Every call seen, in arrival order (entries are completed as the call progresses). */
  log: ProxyLogEntry[];
  setPolicy(policy: FaultPolicy): void;
  /** Stops listening (new connections are refused) and closes idle connections; calls in flight finish. */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeUp(): Promise<void>;
  isDown(): boolean;
  close(): Promise<void>;
}

const FORWARD: FaultAction = { kind: 'forward' };
/** Hop-by-hop headers: they describe one connection, not the message, and are not passed on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);

export async function startFaultProxy(options: { target: string; policy?: FaultPolicy }): Promise<FaultProxy> {
  const target = new URL(options.target);
  let policy: FaultPolicy = options.policy ?? (() => FORWARD);
  const log: ProxyLogEntry[] = [];
  const homeTransactionIdOf = new Map<string, string>();
  const attempts = new Map<string, number>();
  const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  /** Requests in progress per client connection, so going down closes only idle connections at once. */
  const busy = new Map<Socket, number>();
  const pendingTimers = new Set<NodeJS.Timeout>();
  let down = false;
  let closed = false;

  const server = http.createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      // A bug in the proxy must show as a failed call, not as a hang that looks like an injected fault.
      if (!response.headersSent) response.writeHead(599, { 'content-type': 'text/plain' });
      response.end(`fault proxy error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    busy.set(socket, 0);
    socket.once('close', () => busy.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (busy.get(socket) ?? 1) - 1;
      busy.set(socket, left);
      // While down, a connection is closed as soon as it has nothing in flight: no call gets through it.
      if (down && left === 0) socket.destroy();
    });
  });

  await listen(0);
  const port = (server.address() as AddressInfo).port;

  function listen(onPort: number): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  }

  function later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      pendingTimers.delete(timer);
      run();
    }, ms);
    pendingTimers.add(timer);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let clientGone = false;
    response.once('close', () => {
      if (!response.writableEnded) clientGone = true; // closed before we answered: our client gave up
    });
    const body = await readBody(request);
    const call = describe(request, body);
    const action = policy(call);
    const entry: ProxyLogEntry = { ...call, action: action.kind, adapterStatus: null, answered: false };
    log.push(entry);

    switch (action.kind) {
      case 'status':
        response.writeHead(action.status, { 'content-type': 'text/plain' });
        response.end(`${action.status} injected by the fault proxy`);
        return;
      case 'hang':
        // Our client gives up on its own timeout and closes the connection; nothing else happens.
        return;
      case 'reset':
        request.socket.destroy();
        return;
      case 'forwardLate':
        later(
          action.delayMs,
          () =>
            void forward(request, body, call).then(
              (answer) => (entry.adapterStatus = answer.status),
              () => undefined,
            ),
        );
        return;
      case 'holdUntil':
        await action.release;
        if (clientGone || response.destroyed) return; // our client gave up meanwhile: the adapter never sees this call
        break;
      default:
        break;
    }

    const answer = await forward(request, body, call);
    entry.adapterStatus = answer.status;
    if (action.kind === 'forwardThenHang') return;
    if (action.kind === 'forwardThenReset') {
      request.socket.destroy();
      return;
    }
    if (action.kind === 'forwardThenDelay') await new Promise<void>((resolve) => later(action.delayMs, resolve));
    if (action.kind === 'forwardThenHoldUntil') await action.release;
    if (clientGone || response.destroyed) return; // our client gave up first (its own timeout)
    if (action.kind === 'goDown') {
      // Down before the answer leaves, so the client's very next call (e.g. the next step) is refused.
      await goDown();
      later(action.downForMs, () => void comeUp());
      answer.headers.connection = 'close';
    }
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
    entry.answered = true;
  }

  function describe(request: IncomingMessage, body: Buffer): ProxiedCall {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const json = parseJson(body);
    const match = /^\/transfers\/([^/?]+)/.exec(path);
    const adapterTransferId = match ? decodeURIComponent(match[1]!) : null;
    let step: ProxiedStep = 'other';
    let homeTransactionId: string | null = null;
    if (method === 'POST' && path.startsWith('/transfers')) {
      step = 'discover';
      homeTransactionId = typeof json.homeTransactionId === 'string' ? json.homeTransactionId : null;
    } else if (adapterTransferId !== null) {
      step =
        method === 'GET'
          ? 'lookup'
          : json.acceptQuote === true
            ? 'transfer'
            : json.acceptParty === true
              ? 'quote'
              : 'other';
      homeTransactionId = homeTransactionIdOf.get(adapterTransferId) ?? null;
    }
    const key = `${step}:${homeTransactionId ?? adapterTransferId ?? path}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    return { step, method, path, homeTransactionId, adapterTransferId, attempt };
  }

  function forward(
    request: IncomingMessage,
    body: Buffer,
    call: ProxiedCall,
  ): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
    headers.host = target.host;
    headers['content-length'] = body.length;
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers,
          agent: upstreamAgent,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('error', reject);
          answer.on('end', () => {
            const text = Buffer.concat(chunks);
            if (call.step === 'discover' && call.homeTransactionId !== null) {
              // Learnt even when the answer is then withheld: the adapter transfer exists, later calls name it.
              const transferId = parseJson(text).transferId;
              if (typeof transferId === 'string') homeTransactionIdOf.set(transferId, call.homeTransactionId);
            }
            const answerHeaders: http.OutgoingHttpHeaders = {};
            for (const [name, value] of Object.entries(answer.headers))
              if (!HOP_BY_HOP.has(name)) answerHeaders[name] = value;
            answerHeaders['content-length'] = text.length;
            resolve({ status: answer.statusCode ?? 502, headers: answerHeaders, body: text });
          });
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  async function goDown(): Promise<void> {
    if (down || closed) return;
    down = true;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const [socket, inFlight] of busy) if (inFlight === 0) socket.destroy();
    // server.close() resolves once every connection is gone, i.e. after the calls in flight; do not wait for it.
    void stopped;
  }

  async function comeUp(): Promise<void> {
    if (!down || closed) return;
    await listen(port);
    down = false;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setPolicy(next) {
      policy = next;
    },
    goDown,
    comeUp,
    isDown: () => down,
    async close() {
      closed = true;
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      for (const socket of busy.keys()) socket.destroy();
      upstreamAgent.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
