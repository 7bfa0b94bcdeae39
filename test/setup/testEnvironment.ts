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

export interface TestServices {
  env: Record<string, string>;
  workflowBundlePath: string;
}
