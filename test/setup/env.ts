/** Runs before each test file's modules load, so src/config reads the test services' addresses. */
import { existsSync, readFileSync } from 'node:fs';
import { TEST_ENV_FILE, TestServices } from './testEnvironment';

if (existsSync(TEST_ENV_FILE)) {
  const services = JSON.parse(readFileSync(TEST_ENV_FILE, 'utf8')) as TestServices;
  Object.assign(process.env, services.env, { WORKFLOW_BUNDLE_PATH: services.workflowBundlePath });
}
