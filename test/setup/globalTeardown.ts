import { rmSync } from 'node:fs';
import { dropDatabase } from '../../src/db/ensureDatabase';
import type { RunningPeer } from '../../mojaloop/peer';
import type { RunningDevServer } from '../../temporal/devServer';
import { testEnvFile } from './testEnvironment';

interface StartedServices {
  temporal: RunningDevServer;
  databaseUrl: string;
  peer: RunningPeer | null;
}

export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as Record<string, unknown>).__PENSION_GATEWAY_TEST__ as StartedServices | undefined;
  if (!started) return;
  await started.temporal.stop();
  await started.peer?.stop();
  if (!process.env.KEEP_TEST_DATABASE) await dropDatabase(started.databaseUrl);
  rmSync(testEnvFile(), { force: true });
}
