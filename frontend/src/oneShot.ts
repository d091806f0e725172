// An action that must happen once per link however often the page renders:
// confirming an address spends its token, and React's strict mode runs
// effects twice in development.
const started = new Map<string, Promise<unknown>>();

/** Runs `action` the first time `key` is seen; later calls get the same promise. */
export function oneShot<T>(key: string, action: () => Promise<T>): Promise<T> {
  let promise = started.get(key) as Promise<T> | undefined;
  if (!promise) {
    promise = action();
    started.set(key, promise);
  }
  return promise;
}
