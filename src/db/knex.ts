import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import { types } from 'pg';
import type { Config } from '../config';

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

/**
 * Opens a connection pool. Only the composition roots call this (src/api/server.ts, src/worker/main.ts,
 * scripts/start.ts), once per process, and close it (`destroy()`); everything else is given the pool. The code gives
 * each model query its knex; Objection's models are bound to the pool too, for a test's query given none.
 */
export function openDatabase(settings: Config['database']): Knex {
  const knex = knexFactory(knexConfig(settings.url, settings.poolMax));
  Model.knex(knex);
  return knex;
}
