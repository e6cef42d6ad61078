// What the kernel says about a child process: CPU time and resident memory, from /proc (Linux).
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** User + system CPU time the process has used so far, in µs. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, inside parentheses): utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS) * 1e6;
}

/**
 * The process's main thread: time it ran and time it sat runnable waiting for a core, in µs
 * (`/proc/<pid>/task/<pid>/schedstat`, kernel schedstats). The waiting is CPU starvation.
 */
export function mainThreadSched(pid: number): { runUs: number; waitUs: number } {
  const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ');
  return { runUs: Number(run) / 1e3, waitUs: Number(wait) / 1e3 };
}

/** Resident set size now, in MB. */
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

/** Samples `pid`'s RSS every 50 ms until stopped; the peak. */
export function rssPeak(pid: number): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}
