/** Global setup of the workflow tests: the bundles only; bulkPayoutWorkflow.test.ts starts its own Temporal server. */
import { startServices } from './services';

export default async function startWorkflowBundles(): Promise<void> {
  await startServices(['workflowBundle', 'standInBundle']);
}
