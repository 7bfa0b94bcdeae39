/** The global teardown of every project that starts services: stops what the run started (test/setup/services.ts). */
import { stopServices } from './services';

export default async function globalTeardown(): Promise<void> {
  await stopServices();
}
