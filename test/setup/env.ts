/**
 * Runs before each test file's modules load (the projects that start services, jest.config.js), so src/config
 * reads the addresses of the services the run's global setup started (test/setup/services.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { testEnvFile, type TestServices } from './testEnvironment';

const file = testEnvFile();
// Missing, a test would run against the configured defaults (a database that does not exist): say why instead.
if (!existsSync(file))
  throw new Error(
    `No test services file ${file}: run the tests through jest, whose global setup (test/setup/services.ts) writes it`,
  );
const services = JSON.parse(readFileSync(file, 'utf8')) as TestServices;
Object.assign(process.env, services.env);
