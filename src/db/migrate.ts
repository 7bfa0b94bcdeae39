/** `npm run migrate`: creates the database if needed and applies every pending migration. */
import knexFactory from 'knex';
import { config } from '../config';
import { ensureDatabaseExists } from './ensureDatabase';
import { knexConfig } from './knex';

export async function migrateToLatest(databaseUrl: string): Promise<void> {
  await ensureDatabaseExists(databaseUrl);
  const knex = knexFactory(knexConfig(databaseUrl, 1));
  try {
    await knex.migrate.latest();
  } finally {
    await knex.destroy();
  }
}

if (require.main === module) {
  migrateToLatest(config().database.url).then(
    () => console.log('database migrated'),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
