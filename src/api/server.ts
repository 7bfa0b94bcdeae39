/** The API process: `tsx src/api/server.ts`. Stops cleanly on SIGINT/SIGTERM, letting in-flight requests finish. */
import { createServer } from 'node:http';
import { config } from '../config';
import { openDatabase } from '../db/knex';
import { lazyTemporalClient } from '../clients/temporal';
import { logger } from '../logging/logger';
import { createApp } from './app';

async function main(): Promise<void> {
  const settings = config();
  const db = openDatabase(settings.database);
  const temporal = lazyTemporalClient(settings.temporal);
  const app = createApp({ config: settings, db, temporal });
  const handle = app.callback();
  const server = createServer((request, response) => void handle(request, response));
  server.listen(settings.http.port, settings.http.host, () => {
    logger.info({ port: settings.http.port }, 'API listening');
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'API shutting down');
    server.close(() => {
      void db.destroy().then(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 15000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error) => {
  logger.fatal({ err: error }, 'API failed to start');
  process.exit(1);
});
