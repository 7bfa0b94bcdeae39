/**
 * What a use-case is given for one request: the database handle and the services of the process, and the request's
 * own logger, id and client address. Built once per request by src/api/http/routeMounting.ts; use-cases take it
 * first, `(scope, user, ...)`, and reach for nothing global. Those also called from elsewhere (the worker, tests)
 * take the `Pick` of it they use.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AuditContext } from '../audit/auditLog';
import type { TemporalHandle } from '../clients/temporal';
import type { Config } from '../config';

export interface RequestScope {
  db: Knex;
  config: Config;
  /** Connected on first use: a request that needs no Temporal works while it is down. */
  temporal: () => Promise<TemporalHandle>;
  /** Stamps the request id on each line. */
  log: Logger;
  /** Written with each audited change, and given to the workflows a request starts or decides. */
  requestId: string;
  /** The client's address (behind TRUSTED_PROXY_HOPS proxies): what login attempts are counted by. */
  ip: string;
}

/** Who acts and on which request, as the audit log records it (src/audit/auditLog.ts). */
export function auditContextOf(
  scope: Pick<RequestScope, 'requestId'>,
  user: { id: number; email: string },
): AuditContext {
  return { actor: { userId: user.id, email: user.email }, requestId: scope.requestId };
}
