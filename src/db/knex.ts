import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import { types } from 'pg';
import { config } from '../config';

// Postgres bigint (int8) arrives as a string: money stays exact and is converted to BigInt in domain code.
types.setTypeParser(types.builtins.INT8, (value: string) => value);

const MIGRATIONS_DIRECTORY = path.resolve(__dirname, '../../migrations');

export function knexConfig(databaseUrl: string, poolMax = 10): Knex.Config {
  return {
    client: 'pg',
    connection: databaseUrl,
    pool: { min: 0, max: poolMax },
    migrations: { directory: MIGRATIONS_DIRECTORY, loadExtensions: ['.ts', '.js'], extension: 'ts' },
  };
}

let shared: Knex | undefined;

/** The process-wide connection pool, bound to Objection models on first use. */
export function db(): Knex {
  if (!shared) {
    shared = knexFactory(knexConfig(config().database.url, config().database.poolMax));
    Model.knex(shared);
  }
  return shared;
}

export async function closeDb(): Promise<void> {
  if (!shared) return;
  const closing = shared;
  shared = undefined;
  await closing.destroy();
}
