/**
 * A gate a test opens once: whatever waits on its promise goes on then. Tests hold a step with it (an answer in
 * the fault proxy, a call to the adapter) until the fault they inject has happened, instead of waiting for a time.
 */
export interface Barrier {
  promise: Promise<void>;
  /** A plain function (no `this`): passed around as a callback. */
  open: () => void;
}

export function barrier(): Barrier {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
