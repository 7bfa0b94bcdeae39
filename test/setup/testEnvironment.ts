/** Where the global setup tells the test files which services it started for them. */
import os from 'node:os';
import path from 'node:path';

/**
 * One file per jest run, named by JEST_RUN_ID: `npm test` sets it, and the global setup gives a run started
 * otherwise (`npx jest <file>`) an id of its own before it writes the file. A name shared by every such run (as
 * 'default' was) let one engineer's run read another's services, or find the file removed by another's teardown
 * (then the configured default database, which does not exist), whenever two ran at once on one machine.
 * Read when called, not at import: the setup sets the id first.
 */
export function testEnvFile(): string {
  return path.join(os.tmpdir(), `pension-gateway-test-env-${process.env.JEST_RUN_ID ?? 'default'}.json`);
}

/**
 * How long the tests' adapters wait for a switch callback before answering 504. The 504 family (mojaloop/README.md)
 * is the switch's silence, told from an answer only by this wait: kept well above what an answer takes on a loaded
 * machine (seconds at worst), so a slow answer is never taken for silence and retried, and below our client's own
 * timeout in the tests (10 s), as in production.
 */
export const TEST_PEER_REQUEST_TIMEOUT_SECONDS = 8;

/** Port 1 on the loopback: nothing listens there, a connection is refused at once. */
const NOWHERE = '127.0.0.1:1';

/**
 * The configuration of a test run before any service is started: each address of a service points where nothing
 * answers, so a test that needs a service its project did not start fails at once (connection refused) instead of
 * reaching a developer's own database, Temporal server or peer (the configured defaults, or a `.env` file). The
 * global setup overwrites each address with the service it starts.
 */
export function offlineEnv(): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: `postgres://postgres@${NOWHERE}/no_database_started_for_these_tests`,
    TEMPORAL_ADDRESS: NOWHERE,
    TEMPORAL_NAMESPACE: 'default',
    SCHEME_ADAPTER_URL: `http://${NOWHERE}`,
    SCHEME_ADAPTER_TIMEOUT_MS: '20000',
    // Worker processes started by tests must not sweep other tests' PENDING bulks; the sweep has its own test.
    STRANDED_BULK_SWEEP_MINUTES: '0',
    // Every test logs in from 127.0.0.1, and several files fail logins on purpose: with the production limit (10 a
    // quarter of an hour) a run short enough (the api project alone) refuses the logins of the files after them. A
    // test of the limit sets its own (createTestApp overrides), as test/api/authRateLimit.test.ts does.
    LOGIN_RATE_LIMIT_MAX: '1000',
  };
}

export interface TestServices {
  /** The variables the test files run with (test/setup/env.ts): offlineEnv() and the started services' addresses. */
  env: Record<string, string>;
}
