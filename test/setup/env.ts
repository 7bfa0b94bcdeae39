/** Runs before each test file's modules load, so src/config reads the test services' addresses. */
import { existsSync, readFileSync } from 'node:fs';
import { testEnvFile, type TestServices } from './testEnvironment';

const file = testEnvFile();
// Missing, a test would run against the configured defaults (a database that does not exist): say why instead.
if (!existsSync(file))
  throw new Error(
    `No test services file ${file}: run the tests through jest, whose global setup (test/setup/globalSetup.ts) writes it`,
  );
const services = JSON.parse(readFileSync(file, 'utf8')) as TestServices;
Object.assign(process.env, services.env, { WORKFLOW_BUNDLE_PATH: services.workflowBundlePath });
