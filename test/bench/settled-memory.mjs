// Preloaded into the bench's server (`node --expose-gc --import ./test/bench/settled-memory.mjs …`) so the
// memory row can tell a leak from the garbage V8 has not collected yet: RSS alone rises for a minute
// or two under load until a major GC, then falls back. On SIGUSR2 it runs a full GC and appends one
// JSON line (RSS and heap in MB, after it) to COUNTERSIGN_BENCH_MEMORY_FILE. Plain JS, so it loads
// beside any build (BENCH_CLI); nothing else in the server changes.
import { appendFileSync } from 'node:fs';

const file = process.env.COUNTERSIGN_BENCH_MEMORY_FILE;
if (file && typeof globalThis.gc === 'function') {
  const gc = globalThis.gc;
  process.on('SIGUSR2', () => {
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ rssMb: rss / 2 ** 20, heapMb: heapUsed / 2 ** 20 })}\n`);
  });
}
