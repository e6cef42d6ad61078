import { createRequire } from 'node:module';
import type { startTestServer } from '../../server/test/harness';

/** The server's logger type (pino's), as the harness takes it. */
type Logger = NonNullable<NonNullable<Parameters<typeof startTestServer>[0]>['log']>;

// pino is the server's dependency, not the test package's: load the very copy the server runs.
const { pino } = createRequire(new URL('../../server/package.json', import.meta.url))('pino') as {
  pino: (options: object, destination: { write(line: string): void }) => Logger;
};

export type LogLine = { level: number; msg: string; time: number; [key: string]: unknown };

/** A real pino logger (as the server's, JSON lines) whose lines a test can read back. */
export function capturedLog(level = 'info'): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino(
    { level, base: { service: 'countersign' } },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { log, lines };
}

/** pino's numeric levels. */
export const LEVEL = { info: 30, warn: 40, error: 50, fatal: 60 } as const;
