/** Benchmark only: the activity of bench/floorWorkflows.ts, which does nothing. */
export const floorActivities = {
  async nothing(): Promise<void> {},
};
