import { usage } from './io';

/**
 * The command a wrapper runs: everything after the first `--` the user typed, never parsed as flags.
 * Commander folds operands from before and after `--` into one list, so the raw arguments decide;
 * an operand that came before `--` is a mistake worth naming (a forgotten `--`, a mistyped flag).
 */
export function commandAfterDashes(
  argv: readonly string[],
  operands: readonly string[],
  name: string,
  example: string,
): [string, ...string[]] {
  const dashes = argv.indexOf('--');
  if (dashes === -1) throw usage(`${name}: put the command after --, e.g. ${example}`);
  const [program, ...args] = argv.slice(dashes + 1);
  if (program === undefined || program === '') throw usage(`${name}: no command after --`);
  if (operands.length > args.length + 1)
    throw usage(`${name}: unexpected "${operands[0]}" before -- (the command goes after --)`);
  return [program, ...args];
}
