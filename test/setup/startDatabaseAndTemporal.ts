/** Global setup of the API tests: Postgres and Temporal (uploads start workflows nobody runs); no peer, no bundle. */
import { startServices } from './services';

export default async function startDatabaseAndTemporal(): Promise<void> {
  await startServices(['database', 'temporal']);
}
