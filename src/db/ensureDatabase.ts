import knexFactory, { type Knex } from 'knex';
import { knexConfig } from './knex';

/** Creates the database named in the URL if it does not exist yet (needs rights on the `postgres` database). */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  await withMaintenanceConnection(databaseUrl, async (admin, databaseName) => {
    const found = await admin.raw<{ rowCount: number }>('select 1 from pg_database where datname = ?', [databaseName]);
    if (found.rowCount === 0) await admin.raw(`create database "${databaseName}"`);
  });
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  await withMaintenanceConnection(databaseUrl, async (admin, databaseName) => {
    await admin.raw(`drop database if exists "${databaseName}" with (force)`);
  });
}

/** Runs `work` on the server's `postgres` database, since a database cannot create or drop itself. */
async function withMaintenanceConnection(
  databaseUrl: string,
  work: (admin: Knex, databaseName: string) => Promise<void>,
): Promise<void> {
  const url = new URL(databaseUrl);
  const databaseName = decodeURIComponent(url.pathname.replace(/^\//, ''));
  // The name is interpolated into DDL (identifiers cannot be bound), so only plain names are accepted.
  if (!/^[A-Za-z0-9_]+$/.test(databaseName)) throw new Error(`Unsupported database name: ${databaseName}`);
  url.pathname = '/postgres';
  const admin = knexFactory(knexConfig(url.toString(), 1));
  try {
    await work(admin, databaseName);
  } finally {
    await admin.destroy();
  }
}
