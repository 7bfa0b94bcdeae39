// Activities registered with the worker (placeholder until the payout activities land).
export interface ActivityDependencies {
  readonly placeholder?: true;
}

export function createActivities(_deps: ActivityDependencies = {}) {
  return {};
}
