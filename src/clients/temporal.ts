import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

export interface TemporalHandle {
  client: Client;
  connection: Connection;
}

/** Connects lazily and once: the API can serve reads from Postgres while Temporal is still starting. */
export function lazyTemporalClient(temporal: Config['temporal']): () => Promise<TemporalHandle> {
  let connecting: Promise<TemporalHandle> | undefined;
  return () => {
    connecting ??= Connection.connect({ address: temporal.address })
      .then((connection) => ({ connection, client: new Client({ connection, namespace: temporal.namespace }) }))
      .catch((error: unknown) => {
        connecting = undefined; // the next call tries again
        throw error;
      });
    return connecting;
  };
}
