/**
 * Temporal's own cost per line on this machine (bench/floorWorkflows.ts): a bulk of `lines` pays through the same
 * window of workflows per line as the real bulk, with nothing in them. Runs its own worker in this process, on the
 * bench's Temporal server, and reports lines per second and the server's CPU seconds per 1,000 lines.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { floorActivities } from './floorActivities';
import type { LineShape } from './floorWorkflows';

export interface FloorRate {
  shape: LineShape;
  /** The measured bulk's workflow id; its lines are `<id>-line-<n>`. */
  workflowId: string;
  perSecond: number;
  serverCpuPer1000: number;
  /** This process's CPU (its worker runs the floor's workflows and activities; nothing else runs meanwhile). */
  workerCpuPer1000: number;
}

export async function measureTemporalFloor(
  address: string,
  lines: number,
  concurrency: number,
  serverCpuSeconds: () => number,
): Promise<FloorRate[]> {
  const taskQueue = 'bench-temporal-floor';
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./floorWorkflows'),
    activities: floorActivities,
    maxConcurrentActivityTaskExecutions: 200,
  });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const rates: FloorRate[] = [];
  try {
    await worker.runUntil(async () => {
      for (const shape of ['emptyLineWorkflow', 'skeletonLineWorkflow'] as const) {
        // A small bulk first: the worker's first workflow tasks are slower (caches, JIT).
        await client.workflow.execute('floorBulkWorkflow', {
          taskQueue,
          workflowId: `floor-warmup-${shape}-${Date.now()}`,
          args: [20, concurrency, shape],
        });
        const cpuBefore = serverCpuSeconds();
        const workerBefore = process.cpuUsage();
        const started = performance.now();
        const workflowId = `floor-${shape}-${Date.now()}`;
        await client.workflow.execute('floorBulkWorkflow', {
          taskQueue,
          workflowId,
          args: [lines, concurrency, shape],
        });
        const seconds = (performance.now() - started) / 1000;
        rates.push({
          shape,
          workflowId,
          perSecond: lines / seconds,
          serverCpuPer1000: ((serverCpuSeconds() - cpuBefore) * 1000) / lines,
          workerCpuPer1000: cpuMicrosTotal(process.cpuUsage(workerBefore)) / 1000 / lines,
        });
      }
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
  return rates;
}

function cpuMicrosTotal(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}
