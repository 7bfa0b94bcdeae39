/** Tests run against the real Postgres, a real Temporal dev server and the real Mojaloop peer,
 *  all started once by test/setup/globalSetup.ts. One worker: the suite shares those services. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  setupFiles: ['<rootDir>/test/setup/env.ts'],
  testTimeout: 120000,
  maxWorkers: 1,
  // Temporal's native connections keep the event loop alive after the last test; the services are stopped in teardown.
  forceExit: true,
};
