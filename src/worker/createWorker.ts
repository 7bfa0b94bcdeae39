/**
 * Builds the payout worker: the workflows of workflows/index.ts and the activities of activities/index.ts with
 * their real dependencies. The worker's main and the integration tests build it the same way; tests pass a
 * prebuilt workflow bundle (bundling takes seconds, once per test run).
 */
import type { Duration } from '@temporalio/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { type ActivityDependencies, createActivities } from '../../activities';

export interface PayoutWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  /** A bundle made by bundleWorkflowCode from workflows/index.ts; without it the worker bundles at start. */
  workflowBundlePath?: string;
  /** Activities run at once by this worker; above the bulk concurrency, since each line runs one at a time. */
  maxConcurrentActivityTaskExecutions?: number;
  shutdownGraceTime?: Duration;
}

export async function createPayoutWorker(options: PayoutWorkerOptions): Promise<Worker> {
  const workflows = options.workflowBundlePath
    ? { workflowBundle: { codePath: options.workflowBundlePath } }
    : { workflowsPath: require.resolve('../../workflows') };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflows,
    activities: createActivities(options.dependencies),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 200,
    // Temporal's own handling of SIGINT/SIGTERM: stop polling, let running activities finish, then resolve run().
    shutdownGraceTime: options.shutdownGraceTime ?? '30 seconds',
  });
}
