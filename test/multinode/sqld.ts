import { startSqld as startSharedSqld } from '../fixtures/sqld';

export { freePort } from '../fixtures/sqld';

/**
 * A real libSQL server on 127.0.0.1 that a test can stop and start again on the same port and data.
 * Here `stop` is an outage, not a shutdown: SIGKILL, so sqld gets no chance to say goodbye.
 */
export type Sqld = { url: string; stop(): Promise<void>; start(): Promise<void> };

export async function startSqld(dir: string): Promise<Sqld> {
  const sqld = await startSharedSqld(dir);
  return { url: sqld.url, start: sqld.start, stop: () => sqld.stop('SIGKILL') };
}
