import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { constants as os } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

const isExecutableFile = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * Whether `program` would start: a path that is an executable file, or a name found on PATH. Checked
 * before asking for approval, so a typo costs nobody a review. (Windows resolves names its own way
 * through PATHEXT; there we let spawn decide.)
 */
export function canRun(program: string, env: Record<string, string | undefined> = process.env): boolean {
  if (process.platform === 'win32') return true;
  if (program.includes('/')) return isExecutableFile(isAbsolute(program) ? program : resolve(program));
  return (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => isExecutableFile(join(dir, program)));
}

/**
 * Runs the approved command attached to this terminal and resolves with the exit code to pass on:
 * its own, or 128 + the signal number when a signal ended it, as shells report it.
 */
export function runAttached(command: [string, ...string[]], env: Record<string, string>): Promise<number> {
  const [program, ...args] = command;
  return new Promise((done) => {
    const child = spawn(program, args, { stdio: 'inherit', env });
    // Ctrl-C and Ctrl-\ reach the whole foreground process group, the command included: it decides
    // what they mean, and we outlive it to pass its exit code on. A SIGTERM or SIGHUP sent to us
    // alone is passed to it.
    const ignore = () => undefined;
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const restore = () => {
      process.off('SIGINT', ignore);
      process.off('SIGQUIT', ignore);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
    };
    process.on('SIGINT', ignore);
    process.on('SIGQUIT', ignore);
    process.on('SIGTERM', forward);
    process.on('SIGHUP', forward);
    child.once('error', (error: NodeJS.ErrnoException) => {
      restore();
      process.stderr.write(`countersign: cannot run ${program}: ${error.message}\n`);
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => {
      restore();
      done(code ?? 128 + (signal ? (os.signals[signal] ?? 0) : 0));
    });
  });
}
