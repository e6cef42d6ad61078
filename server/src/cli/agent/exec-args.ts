import { parseArgs } from 'node:util';
import { SubmitActionInput } from '@countersign/shared';
import type { ActionInput } from '@countersign/shared/sdk';
import { usage } from '../io';

export type ExecArgs = { action: ActionInput; command: [string, ...string[]] };

const FLAG_OF: Record<string, string> = {
  action: '--action',
  resource: '--resource',
  environment: '--env',
  params: '--param',
  justification: '--justification',
};

/**
 * A `--param` value: a JSON scalar when it is one (5, 2.5, true, false, null, "quoted"), else the text
 * as given. Objects and arrays stay text: the flag is for simple values, and `[1]` may well be meant.
 */
export function paramValue(text: string): unknown {
  if (text.trim() !== text || text === '') return text;
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  } catch {
    // Not JSON: a plain string.
  }
  return text;
}

export function parseParams(pairs: string[]): Record<string, unknown> | undefined {
  if (pairs.length === 0) return undefined;
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usage(`--param: "${pair}" is not k=v`);
    const key = pair.slice(0, at);
    if (Object.hasOwn(params, key)) throw usage(`--param: "${key}" is given more than once`);
    params[key] = paramValue(pair.slice(at + 1));
  }
  return params;
}

/** `exec [flags] -- COMMAND ARGS…`: the command is everything after `--`, never parsed as flags. */
export function parseExecArgs(argv: string[]): ExecArgs {
  const dashes = argv.indexOf('--');
  if (dashes === -1)
    throw usage('exec: put the command after --, e.g. countersign exec --action x -- ./deploy.sh');
  const [program, ...rest] = argv.slice(dashes + 1);
  if (program === undefined || program === '') throw usage('exec: no command after --');
  const { values, positionals } = parseArgs({
    args: argv.slice(0, dashes),
    options: {
      action: { type: 'string' },
      resource: { type: 'string' },
      env: { type: 'string' },
      justification: { type: 'string' },
      param: { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0)
    throw usage(`exec: unexpected "${positionals[0]}" before -- (the command goes after --)`);
  if (values.action === undefined) throw usage('exec: --action ACTION is required');
  const params = parseParams(values.param ?? []);
  const candidate = {
    action: values.action,
    ...(values.resource !== undefined && { resource: values.resource }),
    ...(values.env !== undefined && { environment: values.env }),
    ...(params !== undefined && { params }),
    ...(values.justification !== undefined && { justification: values.justification }),
    source: 'cli' as const,
  };
  // The server would refuse these too; saying so here names the flag and needs no network.
  const parsed = SubmitActionInput.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    throw usage(`${FLAG_OF[field] ?? 'exec'}: ${issue?.message ?? 'invalid'}`);
  }
  return { action: candidate, command: [program, ...rest] };
}
