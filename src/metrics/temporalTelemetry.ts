/**
 * The Temporal SDK's own metrics (workflow task latency, activity schedule-to-start, poller and cache state,
 * requests to the server...). They come from the SDK's native core, not from prom-client: the core runs its own
 * Prometheus exporter, serving GET /metrics on `bindAddress` (TEMPORAL_METRICS_BIND_ADDRESS, e.g. 0.0.0.0:9465),
 * next to our worker registry on WORKER_METRICS_PORT. Names are prefixed `temporal_`, durations in ms
 * (the SDK's defaults, which Temporal's published dashboards expect).
 *
 * The runtime is process-wide and can be installed once, before the first NativeConnection or Worker is
 * created (otherwise the SDK has already installed a default runtime without metrics): the worker's main
 * calls this first thing.
 */
import { Runtime, type RuntimeOptions } from '@temporalio/worker';

/**
 * Installs the Temporal runtime with a Prometheus exporter on `bindAddress` ("host:port"); null does nothing
 * and leaves the SDK's default runtime. Returns whether it installed. Throws if a runtime already exists.
 * `options` carries the rest of the runtime's settings (a logger, for instance).
 */
export function installTemporalRuntimeTelemetry(
  bindAddress: string | null,
  options: Omit<RuntimeOptions, 'telemetryOptions'> = {},
): boolean {
  if (bindAddress === null) return false;
  Runtime.install({ ...options, telemetryOptions: { metrics: { prometheus: { bindAddress } } } });
  return true;
}
