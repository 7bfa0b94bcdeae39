/**
 * The tests' connection pool to the test database (DATABASE_URL of test/setup/env.ts): one handle per test file,
 * opened on first use. It is what the code under test is given as its `db` (createTestApp, the workers), and what
 * the tests read and write through themselves.
 */
import type { Knex } from 'knex';
import { config } from '../../src/config';
import { openDatabase } from '../../src/db/knex';

let shared: Knex | undefined;

export function db(): Knex {
  shared ??= openDatabase(config().database);
  return shared;
}

/**
 * Ends every connection (in afterAll: an open one keeps jest waiting). The handle stays usable, its next query
 * connecting again: an app built earlier in the file holds on to it, and a later describe block may still use it.
 */
export async function closeDb(): Promise<void> {
  if (!shared) return;
  await shared.destroy();
  shared.initialize();
}
