import { EnvError } from '../env';
import { DomainError } from '../errors';
import { StartupError } from '../startup-error';
import { CliError, EXIT, err } from './io';
import { buildProgram } from './program';

/** Every failure becomes one readable line and a sysexits code; never a stack trace. */
function report(error: unknown): number {
  if (error instanceof CliError) {
    // An empty message: commander has already printed the help or the usage line.
    if (error.message !== '') err(error.message);
    return error.exitCode;
  }
  if (error instanceof EnvError || error instanceof StartupError) {
    err(error.message);
    return EXIT.config;
  }
  if (error instanceof DomainError) {
    err(`${error.code}: ${error.message}`);
    return EXIT.failed;
  }
  err(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.COUNTERSIGN_DEBUG) console.error(error);
  return EXIT.software;
}

// `countersign audit export | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const argv = process.argv.slice(2);
const program = buildProgram(argv);
// Bare `countersign` is a question, not a mistake: the overview on standard output, exit 0.
const run =
  argv.length === 0 ? Promise.resolve(program.outputHelp()) : program.parseAsync(argv, { from: 'user' });
run.catch((error: unknown) => {
  process.exitCode = report(error);
});
