/**
 * A time limit on waiting for a promise, without cancelling it: the registry's open, ping and close, and the sweep
 * scheduler's stop, never wait on Redis for longer than they were given.
 */

/**
 * What `work` settles to, or `fallback` when it has not settled within `ms` milliseconds. The timer is cleared
 * either way, so nothing is left to keep the process alive. `work` is not cancelled: callers that must stop it
 * do so themselves (e.g. by dropping the connection it waits on).
 */
export async function within<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
