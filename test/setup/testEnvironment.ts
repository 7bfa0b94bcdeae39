/** Where the global setup tells the test files which services it started for them. */
import os from 'node:os';
import path from 'node:path';

export const TEST_ENV_FILE = path.join(os.tmpdir(), `pension-gateway-test-env-${process.env.JEST_RUN_ID ?? 'default'}.json`);

export interface TestServices {
  env: Record<string, string>;
  workflowBundlePath: string;
}
