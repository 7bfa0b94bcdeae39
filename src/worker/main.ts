/** The worker process: `tsx src/worker/main.ts`. Runs payout workflows and activities until SIGINT/SIGTERM. */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { SchemeAdapterClient } from '../payouts/schemeAdapterClient';
import { decisionPublicKeys } from '../payouts/decisionTokenKeys';
import { temporalConnectionOptions } from '../clients/temporalConnection';
import { type Config, config } from '../config';
import { openDatabase } from '../db/knex';
import { logger } from '../logging/logger';
import { temporalLoggerFor } from '../logging/temporalLogger';
import { installTemporalRuntimeTelemetry } from '../metrics/temporalTelemetry';
import { createPayoutWorker } from './createWorker';
import { startWorkerMetricsServer } from './metricsServer';
import { ensureSweepSchedule, STRANDED_BULK_SWEEP, type Sweep, WEBHOOK_DELIVERY_SWEEP } from './sweepSchedules';

async function main(): Promise<void> {
  const settings = config();
  // Before the first connection: the Temporal runtime can only be installed once per process.
  const runtime = { logger: temporalLoggerFor(logger.child({ component: 'temporal-sdk' })) };
  if (!installTemporalRuntimeTelemetry(settings.metrics.temporalBindAddress, runtime)) Runtime.install(runtime);
  const metricsServer = await startWorkerMetricsServer(settings.metrics.workerPort, { token: settings.metrics.token });

  const connection = await NativeConnection.connect(temporalConnectionOptions(settings.temporal));
  // A client of the worker's own: operator requests (retry-failed from the Web UI) and the sweep's schedule.
  const clientConnection = await Connection.connect(temporalConnectionOptions(settings.temporal));
  const client = new Client({ connection: clientConnection, namespace: settings.temporal.namespace });
  const db = openDatabase(settings.database);
  const worker = await createPayoutWorker({
    connection,
    namespace: settings.temporal.namespace,
    taskQueue: settings.temporal.taskQueue,
    dependencies: {
      db,
      adapter: new SchemeAdapterClient({
        baseUrl: settings.mojaloop.schemeAdapterUrl,
        timeoutMs: settings.mojaloop.requestTimeoutMs,
      }),
      settings: {
        maxFeeMinorUnits: settings.mojaloop.maxFeeMinorUnits,
        payoutConcurrency: settings.bulk.payoutConcurrency,
        pageSize: settings.bulk.pageSize,
        approvalTimeoutMs: settings.bulk.approvalTimeoutHours * 3_600_000,
        decisionKeys: decisionPublicKeys(settings.auth.secretKey),
        transferExpiryMs: settings.mojaloop.transferExpiryMs,
        lineRetry: settings.bulk.lineRetry,
        overdueHoldGraceMs: settings.payeeNameCheck.overdueHoldGraceMs,
        payeeNameCheck: {
          matchThreshold: settings.payeeNameCheck.matchThreshold,
          holdMs: settings.payeeNameCheck.holdHours * 3_600_000,
        },
      },
      pension: { proofOfLifeMaxAgeMonths: settings.pension.proofOfLifeMaxAgeMonths },
      webhooks: {
        addressPolicy: settings.webhooks.addressPolicy,
        timeoutMs: settings.webhooks.timeoutMs,
        retry: settings.webhooks.retry,
        disableAfterMs: settings.webhooks.disableAfterMs,
        mail: settings.email,
        consoleUrl: settings.http.publicBaseUrl,
      },
      temporal: { handle: { client, connection: clientConnection }, taskQueue: settings.temporal.taskQueue },
    },
  });
  logger.info({ taskQueue: settings.temporal.taskQueue }, 'worker started');
  if (settings.bulk.strandedSweepMinutes !== null)
    await scheduleSweep(client, settings, STRANDED_BULK_SWEEP, settings.bulk.strandedSweepMinutes);
  if (settings.webhooks.sweepMinutes !== null)
    await scheduleSweep(client, settings, WEBHOOK_DELIVERY_SWEEP, settings.webhooks.sweepMinutes);
  await worker.run();
  await clientConnection.close();
  await connection.close();
  await metricsServer.close();
  await db.destroy();
  logger.info('worker stopped');
}

async function scheduleSweep(client: Client, settings: Config, sweep: Sweep, everyMinutes: number): Promise<void> {
  await ensureSweepSchedule(client, sweep, settings.temporal.taskQueue, `${everyMinutes} minutes`)
    .then((outcome) => logger.info({ outcome, scheduleId: sweep.scheduleId }, 'sweep schedule'))
    // Not fatal: paying is this process's job, a sweep is a backstop, and the next worker start tries again.
    .catch((error: unknown) =>
      logger.error({ err: error, scheduleId: sweep.scheduleId }, 'could not create a sweep schedule'),
    );
}

main().catch((error) => {
  logger.fatal({ err: error }, 'worker failed');
  process.exit(1);
});
