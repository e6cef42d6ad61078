import { SubmitActionInput } from '@countersign/shared';
import type { ActionInput } from '@countersign/shared/sdk';
import { usage } from '../io';

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

/** The flags of `countersign exec`, as commander parsed them. */
export type ExecFlags = {
  action?: string;
  resource?: string;
  env?: string;
  justification?: string;
  param?: string[];
};

/** The request `exec` submits, checked here so a bad flag is named without a network round trip. */
export function execAction(flags: ExecFlags): ActionInput {
  if (flags.action === undefined) throw usage('exec: --action ACTION is required');
  const params = parseParams(flags.param ?? []);
  const candidate = {
    action: flags.action,
    ...(flags.resource !== undefined && { resource: flags.resource }),
    ...(flags.env !== undefined && { environment: flags.env }),
    ...(params !== undefined && { params }),
    ...(flags.justification !== undefined && { justification: flags.justification }),
    source: 'cli' as const,
  };
  // The server would refuse these too; saying so here names the flag and needs no network.
  const parsed = SubmitActionInput.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    throw usage(`${FLAG_OF[field] ?? 'exec'}: ${issue?.message ?? 'invalid'}`);
  }
  return candidate;
}
