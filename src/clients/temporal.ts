import { Client, Connection, QueryRejectCondition } from '@temporalio/client';
import type { Config } from '../config';
import { temporalConnectionOptions } from './temporalConnection';

export interface TemporalHandle {
  client: Client;
  connection: Connection;
}

/** Connects lazily and once: the API can serve reads from Postgres while Temporal is still starting. */
export function lazyTemporalClient(temporal: Config['temporal']): () => Promise<TemporalHandle> {
  // Built now: a TLS file that cannot be read stops the API at start, not at its first payout.
  const options = temporalConnectionOptions(temporal);
  let connecting: Promise<TemporalHandle> | undefined;
  return () => {
    connecting ??= Connection.connect(options)
      .then((connection) => ({ connection, client: apiTemporalClient(connection, temporal.namespace) }))
      .catch((error: unknown) => {
        connecting = undefined; // the next call tries again
        throw error;
      });
    return connecting;
  };
}

/**
 * The API's client. Its queries answer only while their workflow runs: the server refuses one for a closed workflow
 * at once (a status read then counts in Postgres), where a worker would otherwise replay its history to answer.
 */
export function apiTemporalClient(connection: Connection, namespace: string): Client {
  return new Client({ connection, namespace, workflow: { queryRejectCondition: QueryRejectCondition.NOT_OPEN } });
}
