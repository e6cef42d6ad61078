import { parseArgs } from 'node:util';
import { AgentName, Email, SCOPES, Scope } from '@countersign/shared';
import { type CreateKeyInput, createKey } from '../../services/keys/create-key';
import { listKeys } from '../../services/keys/list-keys';
import { revokeKey } from '../../services/keys/revoke-key';
import { out, usage } from '../io';
import { KEYS_USAGE } from '../usage';
import { withCore } from '../with-core';

function parseScopes(text: string | undefined): Scope[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((s) => {
    const parsed = Scope.safeParse(s.trim());
    if (!parsed.success) throw usage(`--scopes: unknown scope "${s.trim()}" (known: ${SCOPES.join(', ')})`);
    return parsed.data;
  });
}

function parseWith<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  flag: string,
  value: string,
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw usage(`${flag}: "${value}" is not valid`);
  return parsed.data;
}

async function create(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      agent: { type: 'string' },
      owner: { type: 'string' },
      user: { type: 'string' },
      scopes: { type: 'string' },
      label: { type: 'string' },
    },
    strict: true,
  });
  const scopes = parseScopes(values.scopes);
  if ((values.agent === undefined) === (values.user === undefined))
    throw usage('give exactly one of --agent NAME or --user EMAIL');
  let input: CreateKeyInput;
  if (values.agent !== undefined) {
    if (values.owner === undefined) throw usage('--agent needs --owner EMAIL: the human responsible for it');
    const name = parseWith(AgentName, '--agent', values.agent);
    input = {
      kind: 'agent',
      name,
      owner: parseWith(Email, '--owner', values.owner),
      scopes,
      label: values.label,
    };
  } else {
    if (values.owner !== undefined) throw usage('--owner goes with --agent, not --user');
    input = {
      kind: 'user',
      email: parseWith(Email, '--user', values.user ?? ''),
      scopes,
      label: values.label,
    };
  }
  const key = await withCore((ctx) => createKey({ ctx, input }));
  const owner = input.kind === 'agent' ? ` (owner ${input.owner})` : '';
  out(`Created ${key.id} for ${key.principal}${owner} with scopes ${key.scopes.join(',')}.`);
  // Only a key that submits requests has webhooks to sign.
  if (key.scopes.includes('actions:write'))
    out(`Webhooks for this key's requests are signed with ${key.webhookSecret}`);
  out('This key is shown once; store it now:');
  out(key.token);
}

async function list(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, strict: true });
  const keys = await withCore((ctx) => listKeys({ ctx }));
  if (values.json) return out(JSON.stringify(keys, null, 2));
  if (keys.length === 0)
    return out('No keys yet. Make one with: countersign keys create --agent NAME --owner EMAIL');
  out('id  principal  scopes  created  state  label');
  for (const k of keys) {
    const state = k.revokedAt ? `revoked ${k.revokedAt}` : `last used ${k.lastUsedAt ?? 'never'}`;
    out(
      `${k.id}  ${k.principal}  ${k.scopes.join(',')}  created ${k.createdAt}  ${state}${k.label ? `  ${k.label}` : ''}`,
    );
  }
}

async function revoke(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, options: {}, strict: true, allowPositionals: true });
  const [id, ...rest] = positionals;
  if (!id || rest.length > 0) throw usage('usage: countersign keys revoke KEY_ID');
  const revoked = await withCore((ctx) => revokeKey({ ctx, id }));
  out(`Revoked ${revoked.id} at ${revoked.revokedAt}.`);
}

export async function keysCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create':
      return create(rest);
    case 'list':
      return list(rest);
    case 'revoke':
      return revoke(rest);
    default:
      throw usage(`usage:\n${KEYS_USAGE}`);
  }
}
