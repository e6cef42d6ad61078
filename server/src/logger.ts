import { type Logger, pino } from 'pino';

/** Structured JSON logs on standard error; standard output is left to the CLI's own answers. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'countersign' } }, pino.destination({ fd: 2, sync: false }));
}
