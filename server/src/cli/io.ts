/** Exit codes, after sysexits(3). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 64,
  dataErr: 65,
  /** sysexits EX_NOINPUT: the database (or its secret) this command works on does not exist. */
  noInput: 66,
  unavailable: 69,
  software: 70,
  /** sysexits EX_CANTCREAT: an output file the user named cannot be created. */
  cantCreate: 73,
  config: 78,
} as const;

/** A CLI failure with a message meant for a person: printed as one line, no stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export const usage = (message: string): CliError => new CliError(message, EXIT.usage);

export const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
export const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
