/**
 * The worker process's Prometheus registry, served by src/worker/metricsServer.ts: how long each Mojaloop call
 * takes and how it ended, plus Node's default process metrics. Activities report through observeMojaloopCall
 * or timeMojaloopCall; never import this from workflow code (the workflow sandbox has no prom-client).
 */
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The steps of paying one line, as the scheme adapter exposes them. */
export type MojaloopStep = 'discover' | 'quote' | 'transfer' | 'lookup_outcome';

/**
 * ok: the switch answered as hoped. business_error: it answered with a refusal (party not found, quote refused,
 * transfer rejected...). unavailable: no usable answer (timeout, connection refused, 5xx).
 */
export type MojaloopOutcome = 'ok' | 'business_error' | 'unavailable';

export interface WorkerMetrics {
  registry: Registry;
  mojaloopCallDuration: Histogram<'step' | 'outcome'>;
}

let shared: WorkerMetrics | undefined;

/** One per process, built on first use. */
export function workerMetrics(): WorkerMetrics {
  shared ??= buildWorkerMetrics();
  return shared;
}

function buildWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const mojaloopCallDuration = new Histogram<'step' | 'outcome'>({
    name: 'pension_gateway_mojaloop_call_duration_seconds',
    help: 'Calls to the Mojaloop scheme adapter by step and outcome.',
    labelNames: ['step', 'outcome'],
    // Up to the adapter timeout (SCHEME_ADAPTER_TIMEOUT_MS, 65 s by default).
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 90],
    registers: [registry],
  });
  return { registry, mojaloopCallDuration };
}

export function observeMojaloopCall(step: MojaloopStep, outcome: MojaloopOutcome, seconds: number): void {
  workerMetrics().mojaloopCallDuration.observe({ step, outcome }, seconds);
}

/**
 * Times `call` and records it under `step`. The outcome is `outcomeOf(result)` when it resolves (default 'ok':
 * pass a function when a refusal comes back as a value) and `outcomeOfError(error)` when it throws (default
 * 'unavailable'); the result or error is passed through untouched.
 */
export async function timeMojaloopCall<T>(
  step: MojaloopStep,
  call: () => Promise<T>,
  classify: {
    outcomeOf?: (result: T) => MojaloopOutcome;
    outcomeOfError?: (error: unknown) => MojaloopOutcome;
  } = {},
): Promise<T> {
  const started = process.hrtime.bigint();
  const elapsedSeconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const result = await call();
    observeMojaloopCall(step, classify.outcomeOf?.(result) ?? 'ok', elapsedSeconds());
    return result;
  } catch (error) {
    observeMojaloopCall(step, classify.outcomeOfError?.(error) ?? 'unavailable', elapsedSeconds());
    throw error;
  }
}
