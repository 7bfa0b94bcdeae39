/** Where the global setup tells the test files which services it started for them. */
import os from 'node:os';
import path from 'node:path';

/**
 * The file of this jest run: its id is set by the global setup (the jest process's pid, unless JEST_RUN_ID is
 * given) before any test file starts, so runs of the suite side by side on one machine never read each other's.
 */
export function testEnvFile(): string {
  process.env.JEST_RUN_ID ??= String(process.pid);
  return path.join(os.tmpdir(), `pension-gateway-test-env-${process.env.JEST_RUN_ID}.json`);
}

export interface TestServices {
  env: Record<string, string>;
  workflowBundlePath: string;
}
