import { AGENT_NAME_RULE, AgentName, Email, SCOPES, Scope } from '@countersign/shared';
import type { Command } from 'commander';
import type { CreateKeyInput } from '../../services/keys/create-key';
import { out, usage } from '../io';

type CreateFlags = {
  agent?: string;
  owner?: string;
  user?: string;
  scim?: string;
  scopes?: string;
  label?: string;
};

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Create, list and revoke API keys.');
  keys
    .command('create')
    .description('Create a key for an agent (submits requests) or a person (reviews, reads the audit log).')
    .usage('--agent NAME --owner EMAIL [options]  |  --user EMAIL [options]')
    .option('--agent <NAME>', `the agent's name: ${AGENT_NAME_RULE}`)
    .option('--owner <EMAIL>', 'with --agent: the person responsible for the agent')
    .option('--user <EMAIL>', 'a key for this person instead of an agent')
    .option('--scim <NAME>', "the identity provider's key for /scim/v2 (e.g. okta): scope scim, nothing else")
    .option('--scopes <LIST>', `comma-separated (${SCOPES.join(', ')}); agents default to actions:write`)
    .option('--label <TEXT>', 'a note shown by keys list, e.g. where the key is used')
    .addHelpText('after', '\nThe key is printed once, on the last line; only its hash is stored.')
    .action((flags: CreateFlags) => create(flags));
  keys
    .command('list')
    .description('List every key: principal, scopes, when created and last used, revoked or not.')
    .option('--json', 'print the keys as JSON')
    .action((flags: { json?: boolean }) => list(flags));
  keys
    .command('revoke')
    .description('Revoke a key; a running server refuses it at once.')
    .argument('<KEY_ID>', 'the key_… id shown by keys create and keys list')
    .action((id: string) => revoke(id));
  keys
    .command('rotate')
    .description('Replace a key: a new key for the same principal and scopes; the old one revoked with it.')
    .argument('<KEY_ID>', 'the key_… id shown by keys create and keys list')
    .option('--grace <MINUTES>', 'keep the old key working this many minutes (default 0: revoked at once)')
    .option('--expires <TIME>', 'when the new key stops working (ISO 8601, e.g. 2027-01-31T00:00:00Z)')
    .addHelpText('after', '\nThe new key is printed once, on the last line; only its hash is stored.')
    .action((id: string, flags: { grace?: string; expires?: string }) => rotate(id, flags));
}

function parseScopes(text: string | undefined): Scope[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((s) => {
    const parsed = Scope.safeParse(s.trim());
    if (!parsed.success) throw usage(`--scopes: unknown scope "${s.trim()}" (known: ${SCOPES.join(', ')})`);
    return parsed.data;
  });
}

/** A flag's value through a shared schema, or a usage error (exit 64) naming the flag. */
export function parseWith<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: readonly { message: string }[] } };
  },
  flag: string,
  value: string,
): T {
  const parsed = schema.safeParse(value);
  // The schema says why (an email with a look-alike letter is "no usable identity: …"): pass it on.
  if (!parsed.success)
    throw usage(`${flag}: "${value}" is not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

async function create(flags: CreateFlags): Promise<void> {
  const scopes = parseScopes(flags.scopes);
  if (flags.scim !== undefined) return createScim(flags, flags.scim);
  if ((flags.agent === undefined) === (flags.user === undefined))
    throw usage('give exactly one of --agent NAME, --user EMAIL or --scim NAME');
  let input: CreateKeyInput;
  if (flags.agent !== undefined) {
    if (flags.owner === undefined) throw usage('--agent needs --owner EMAIL: the human responsible for it');
    const name = parseWith(AgentName, '--agent', flags.agent);
    input = {
      kind: 'agent',
      name,
      owner: parseWith(Email, '--owner', flags.owner),
      scopes,
      label: flags.label,
    };
  } else {
    if (flags.owner !== undefined) throw usage('--owner goes with --agent, not --user');
    input = {
      kind: 'user',
      email: parseWith(Email, '--user', flags.user ?? ''),
      scopes,
      label: flags.label,
    };
  }
  const { withCore } = await import('../with-core');
  const { createKey } = await import('../../services/keys/create-key');
  const key = await withCore((ctx) => createKey({ ctx, input }));
  const owner = input.kind === 'agent' ? ` (owner ${input.owner})` : '';
  out(`Created ${key.id} for ${key.principal}${owner} with scopes ${key.scopes.join(',')}.`);
  // Only a key that submits requests has webhooks to sign.
  if (key.scopes.includes('actions:write'))
    out(`Webhooks for this key's requests are signed with ${key.webhookSecret}`);
  out('This key is shown once; store it now:');
  out(key.token);
}

async function list(flags: { json?: boolean }): Promise<void> {
  const { withCore } = await import('../with-core');
  const { listKeys } = await import('../../services/keys/list-keys');
  const keys = await withCore((ctx) => listKeys({ ctx }));
  if (flags.json) return out(JSON.stringify(keys, null, 2));
  if (keys.length === 0)
    return out('No keys yet. Make one with: countersign keys create --agent NAME --owner EMAIL');
  const rows = keys.map((k) => [
    k.id,
    k.principal,
    k.scopes.join(','),
    k.createdAt,
    k.revokedAt ? `revoked ${k.revokedAt}` : `last used ${k.lastUsedAt ?? 'never'}`,
    k.label ?? '',
  ]);
  for (const line of table(['ID', 'PRINCIPAL', 'SCOPES', 'CREATED', 'STATE', 'LABEL'], rows)) out(line);
}

/** Columns padded to their widest cell, two spaces apart, so the header sits over its values. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

async function revoke(id: string): Promise<void> {
  const { withCore } = await import('../with-core');
  const { revokeKey } = await import('../../services/keys/revoke-key');
  const revoked = await withCore((ctx) => revokeKey({ ctx, id }));
  if (revoked.alreadyRevoked)
    out(`${revoked.id} was already revoked at ${revoked.revokedAt}; nothing changed.`);
  else out(`Revoked ${revoked.id} at ${revoked.revokedAt}.`);
}

async function rotate(id: string, flags: { grace?: string; expires?: string }): Promise<void> {
  const graceMinutes = flags.grace === undefined ? undefined : Number(flags.grace);
  if (graceMinutes !== undefined && !/^\d+$/.test(flags.grace ?? ''))
    throw usage(`--grace: "${flags.grace}" is not a whole number of minutes`);
  const expiresAt = flags.expires === undefined ? undefined : Date.parse(flags.expires);
  if (expiresAt !== undefined && Number.isNaN(expiresAt))
    throw usage(`--expires: "${flags.expires}" is not a time (use ISO 8601, e.g. 2027-01-31T00:00:00Z)`);
  const { withCore } = await import('../with-core');
  const { rotateKey } = await import('../../services/keys/rotate-key');
  const key = await withCore((ctx) => rotateKey({ ctx, id, input: { graceMinutes, expiresAt } }));
  const old = key.replaced.revokedAt
    ? `revoked at ${key.replaced.revokedAt}`
    : `works until ${key.replaced.expiresAt ?? 'its grace ends'}`;
  out(`Rotated ${id} (${key.principal}): the old key ${old}; the new key is ${key.id}.`);
  if (key.scopes.includes('actions:write'))
    out(`Webhooks for this key's requests are now signed with ${key.webhookSecret}`);
  out('This key is shown once; store it now:');
  out(key.token);
}

async function createScim(flags: CreateFlags, name: string): Promise<void> {
  if (
    flags.agent !== undefined ||
    flags.user !== undefined ||
    flags.owner !== undefined ||
    flags.scopes !== undefined
  )
    throw usage('--scim NAME stands alone: a SCIM key has the scim scope and no other');
  const { withCore } = await import('../with-core');
  const { createKey } = await import('../../services/keys/create-key');
  const key = await withCore((ctx) => createKey({ ctx, input: { kind: 'scim', name, label: flags.label } }));
  out(
    `Created ${key.id} for ${key.principal} with scope scim: give it to the identity provider as its bearer token.`,
  );
  out('This key is shown once; store it now:');
  out(key.token);
}
