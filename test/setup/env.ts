/** Runs before each test file's modules load, so src/config reads the test services' addresses. */
import { existsSync, readFileSync } from 'node:fs';
import { testEnvFile, TestServices } from './testEnvironment';

if (existsSync(testEnvFile())) {
  const services = JSON.parse(readFileSync(testEnvFile(), 'utf8')) as TestServices;
  Object.assign(process.env, services.env, { WORKFLOW_BUNDLE_PATH: services.workflowBundlePath });
}
