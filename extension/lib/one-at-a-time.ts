/**
 * A queue that runs async work one piece at a time, in order: for read-modify-writes of one storage
 * item (or one set of DNR rules) that callers would otherwise interleave. A failed piece does not stop
 * the ones after it.
 */
export function oneAtATime(): <T>(work: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
}
