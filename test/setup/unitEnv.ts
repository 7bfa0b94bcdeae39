/**
 * Runs before each unit test file's modules load. The unit project starts no service (jest.config.js): the code
 * under test reads a test configuration whose every service address points where nothing answers.
 */
import { randomBytes } from 'node:crypto';
import { offlineEnv } from './testEnvironment';

Object.assign(process.env, offlineEnv(), { SECRET_KEY: randomBytes(32).toString('hex') });
