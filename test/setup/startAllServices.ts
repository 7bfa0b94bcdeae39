/** Global setup of the tests that pay (payouts, faults, browser): Postgres, Temporal, the peer and the bundle. */
import { startServices } from './services';

export default async function startAllServices(): Promise<void> {
  await startServices(['database', 'temporal', 'peer', 'workflowBundle']);
}
