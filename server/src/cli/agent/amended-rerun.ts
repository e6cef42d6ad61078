import type { ActionRequest } from '@countersign/shared';
import type { ActionInput } from '@countersign/shared/sdk';
import { paramValue } from './exec-args';

// What `exec` says when a reviewer approved a changed action: exec runs only its own command line,
// so the person at the terminal needs the changed params and the command that would ask for them.

/** Quoted for a POSIX shell only when it needs to be, so the common case reads as typed. */
const shellWord = (word: string): string =>
  /^[\w./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/** `k=v` as `--param` reads it back to the same value; undefined for what the flag cannot carry. */
function paramFlag(key: string, value: unknown): string | undefined {
  if (typeof value === 'string')
    return `${key}=${paramValue(value) === value ? value : JSON.stringify(value)}`;
  if (value === null || typeof value === 'boolean' || typeof value === 'number')
    return `${key}=${JSON.stringify(value)}`;
  return undefined;
}

/** The lines `exec` prints for an approval with amended params (it exits 70; nothing ran). */
export function amendedLines(
  request: Pick<ActionRequest, 'id' | 'amended'>,
  action: ActionInput,
  command: readonly string[],
): string[] {
  const amended = request.amended;
  if (!amended) return [];
  const params = Object.entries(amended.params);
  const flags = params.map(([k, v]) => paramFlag(k, v));
  const words = [
    'countersign',
    'exec',
    '--action',
    action.action,
    ...(action.resource !== undefined ? ['--resource', action.resource] : []),
    ...(action.environment !== undefined ? ['--env', action.environment] : []),
    ...(action.justification !== undefined ? ['--justification', action.justification] : []),
    ...flags.flatMap((flag) => (flag === undefined ? [] : ['--param', flag])),
    '--',
    ...command,
  ];
  const lines = [
    `${request.id} was approved with amended params by ${amended.by}: the reviewer approved a changed action, and exec runs only what its command line says, so nothing was run`,
    `the approved params: ${JSON.stringify(amended.params)}`,
  ];
  if (flags.some((flag) => flag === undefined))
    lines.push(
      'some of them are objects or lists, which --param cannot carry: submit them through the SDK or the API',
    );
  else lines.push(`to ask again with them: ${words.map(shellWord).join(' ')}`);
  return lines;
}
