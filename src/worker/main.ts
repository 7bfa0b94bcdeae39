/** The worker process: `tsx src/worker/main.ts`. Runs payout workflows and activities until SIGINT/SIGTERM. */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { config } from '../config';
import { closeDb, db } from '../db/knex';
import { logger } from '../logging/logger';

async function main(): Promise<void> {
  const settings = config();
  db();
  const connection = await NativeConnection.connect({ address: settings.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: settings.temporal.namespace,
    taskQueue: settings.temporal.taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities: createActivities(),
    // Temporal's own handling of SIGINT/SIGTERM: stop polling, let running activities finish, then resolve run().
    shutdownGraceTime: '30 seconds',
  });
  logger.info({ taskQueue: settings.temporal.taskQueue }, 'worker started');
  await worker.run();
  await connection.close();
  await closeDb();
  logger.info('worker stopped');
}

main().catch((error) => {
  logger.fatal({ err: error }, 'worker failed');
  process.exit(1);
});
