// Preloaded into the bench's server (`node --import ./test/bench/eld.mjs …`, when BENCH_ELD=1) to say
// what sets the fixed-rate p99: how long the event loop was blocked (perf_hooks' delay histogram,
// 1 ms resolution) and how long the GC paused it. Plain JS so it loads beside any build (BENCH_CLI).
// On SIGUSR2 it appends one JSON line for the window since the last signal to the file named by
// COUNTERSIGN_BENCH_ELD_FILE and starts a new window; nothing else in the server changes.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const file = process.env.COUNTERSIGN_BENCH_ELD_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let pauses = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const ms = (ns) => Number((ns / 1e6).toFixed(2));
  process.on('SIGUSR2', () => {
    const sorted = pauses.sort((a, b) => a - b);
    const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    const line = {
      loopDelayP50: ms(delay.percentile(50)),
      loopDelayP99: ms(delay.percentile(99)),
      loopDelayMax: ms(delay.max),
      gcPauses: sorted.length,
      gcTotalMs: Number(sorted.reduce((a, b) => a + b, 0).toFixed(1)),
      gcP99: Number(at(0.99).toFixed(2)),
      gcMax: Number((sorted.at(-1) ?? 0).toFixed(2)),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
    delay.reset();
    pauses = [];
  });
}
