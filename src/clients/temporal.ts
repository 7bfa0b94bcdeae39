import { Client, Connection } from '@temporalio/client';
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
      .then((connection) => ({ connection, client: new Client({ connection, namespace: temporal.namespace }) }))
      .catch((error: unknown) => {
        connecting = undefined; // the next call tries again
        throw error;
      });
    return connecting;
  };
}
