/**
 * Temporal server settings the gateway relies on, beyond the server's defaults. The dev server gets them as flags
 * (temporal/devServer.ts); docker-compose's server reads temporal/dynamicconfig/production.yaml, which a unit test
 * keeps equal to this list.
 */
export const DYNAMIC_CONFIG: Readonly<Record<string, boolean | number | string>> = {
  // A line's transfer activity is handed straight back to the worker whose workflow task scheduled it, in the
  // answer to that task, instead of waiting for that worker's next poll: one server round trip less per line.
  // Off by default in the server; the SDK asks for it only when it has a free activity slot.
  'system.enableActivityEagerExecution': true,
};

/** `--dynamic-config-value key=<json>` for `temporal server start-dev`. */
export function devServerDynamicConfigArgs(): string[] {
  return Object.entries(DYNAMIC_CONFIG).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
}
