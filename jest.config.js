/**
 * One Jest project per kind of test, each starting only the services it needs (its globalSetup, test/setup/):
 *  - unit: pure code, no service at all;
 *  - workflow: the workflow bundles only (its bulk workflow tests start a Temporal dev server of their own);
 *  - api: the API and the database (uploads start workflows nobody runs): a fresh Postgres database and a Temporal
 *    dev server;
 *  - payouts, faults, browser: Postgres, Temporal, the real Mojaloop peer and the workflow bundle.
 * Jest runs a project's global setup only when the run has test files of that project; a service asked for by
 * several projects is started once per run, the workflow bundle built once (test/setup/services.ts).
 * One worker: the files of a run share those services. `npm run test:fast` runs unit and workflow, which share
 * none, with two.
 */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};

/** A project of test/<name>/, started with the given global setup. */
function project(name, globalSetup) {
  return {
    displayName: name,
    testEnvironment: 'node',
    roots: [`<rootDir>/test/${name}`],
    testMatch: ['**/*.test.ts'],
    transform,
    ...(globalSetup
      ? {
          globalSetup: `<rootDir>/test/setup/${globalSetup}.ts`,
          globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
          setupFiles: ['<rootDir>/test/setup/env.ts'],
        }
      : { setupFiles: ['<rootDir>/test/setup/unitEnv.ts'] }),
  };
}

module.exports = {
  projects: [
    project('unit', null),
    project('workflow', 'startWorkflowBundles'),
    project('api', 'startDatabaseAndTemporal'),
    project('payouts', 'startAllServices'),
    project('faults', 'startAllServices'),
    project('browser', 'startAllServices'),
  ],
  testTimeout: 120000,
  maxWorkers: 1,
  // Temporal's native connections keep the event loop alive after the last test; the services are stopped in teardown.
  forceExit: true,
};
