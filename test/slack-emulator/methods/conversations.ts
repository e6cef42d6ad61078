import { messageObject } from '../message-store';
import { boolArg, stringArg } from '../request';
import type { JsonObject, StoredMessage } from '../types';
import { fail, type MethodContext, type MethodTable } from './method-context';

// https://docs.slack.dev/reference/methods/conversations.history: the scope depends on the conversation kind.
function historyScope(channel: string): string {
  if (channel.startsWith('G')) return 'groups:history';
  if (channel.startsWith('D')) return 'im:history';
  return 'channels:history';
}

/** Slack's answer to a token without the scope a method needs. */
export function missingScope(provided: readonly string[], needed: string): JsonObject {
  return fail('missing_scope', { needed, provided: provided.join(',') });
}

const tsOf = (value: string | undefined, fallback: number): number =>
  value === undefined || Number.isNaN(Number(value)) ? fallback : Number(value);

/**
 * conversations.history as documented: top-level messages (thread replies stay in their thread),
 * newest first, between `oldest` and `latest` (exclusive unless `inclusive`), `limit` per page
 * (default 100, at most 999), paged by an opaque `cursor`; metadata only with `include_all_metadata`.
 */
function history({ args, directory, store, options }: MethodContext): JsonObject {
  const requested = stringArg(args, 'channel');
  const channel = requested === undefined ? undefined : directory.resolveChannel(requested);
  if (channel === undefined) return fail('channel_not_found');
  const needed = historyScope(channel);
  if (!options.botScopes.includes(needed)) return missingScope(options.botScopes, needed);
  const limit = Math.min(999, Math.max(1, tsOf(stringArg(args, 'limit'), 100)));
  const inclusive = boolArg(args, 'inclusive');
  const oldest = tsOf(stringArg(args, 'oldest'), 0);
  const latest = tsOf(stringArg(args, 'latest'), Number.POSITIVE_INFINITY);
  const cursor = stringArg(args, 'cursor');
  let skip = 0;
  if (cursor !== undefined) {
    const decoded = /^next_ts:(\d+\.\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
    if (decoded?.[1] === undefined) return fail('invalid_cursor');
    skip = Number(decoded[1]);
  }
  const inRange = (m: StoredMessage) => {
    const ts = Number(m.ts);
    return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
  };
  const all = store.messages
    .filter((m) => m.channel === channel && !m.deleted && (m.threadTs === undefined || m.threadTs === m.ts))
    .filter(inRange)
    .sort((a, b) => Number(b.ts) - Number(a.ts))
    .filter((m) => cursor === undefined || Number(m.ts) <= skip);
  const page = all.slice(0, limit);
  const next = all[limit];
  const withMetadata = boolArg(args, 'include_all_metadata');
  return {
    ok: true,
    messages: page.map((m) => {
      const body = messageObject(m, options.appId, options.teamId);
      if (withMetadata && m.metadata !== undefined) body.metadata = m.metadata;
      return body;
    }),
    has_more: next !== undefined,
    pin_count: 0,
    response_metadata: {
      next_cursor: next === undefined ? '' : Buffer.from(`next_ts:${next.ts}`).toString('base64'),
    },
  };
}

/**
 * conversations.list: the workspace's channels of the requested `types` (default public_channel; a
 * private channel's id starts with G here), `limit` per page (default 100, at most 1000), paged by `cursor`.
 * Each type needs its read scope (channels:read, groups:read).
 */
function list({ args, directory, options }: MethodContext): JsonObject {
  const types = (stringArg(args, 'types') ?? 'public_channel').split(',').map((t) => t.trim());
  const scopes: Record<string, string> = { public_channel: 'channels:read', private_channel: 'groups:read' };
  for (const type of types) {
    const needed = scopes[type];
    if (needed === undefined) return fail('invalid_types');
    if (!options.botScopes.includes(needed)) return missingScope(options.botScopes, needed);
  }
  const limit = Math.min(1000, Math.max(1, tsOf(stringArg(args, 'limit'), 100)));
  const cursor = stringArg(args, 'cursor');
  const start =
    cursor === undefined ? 0 : Number(Buffer.from(cursor, 'base64').toString('utf8').slice('offset:'.length));
  if (!Number.isInteger(start) || start < 0) return fail('invalid_cursor');
  const all = directory.channels.filter((c) =>
    types.includes(c.id.startsWith('G') ? 'private_channel' : 'public_channel'),
  );
  const page = all.slice(start, start + limit);
  const more = start + limit < all.length;
  return {
    ok: true,
    channels: page.map((c) => ({
      id: c.id,
      name: c.name,
      is_channel: !c.id.startsWith('G'),
      is_group: c.id.startsWith('G'),
      is_private: c.id.startsWith('G'),
      is_archived: false,
    })),
    response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
  };
}

export const conversationMethods: MethodTable = {
  'conversations.history': { token: 'bot', handle: history },
  'conversations.list': { token: 'bot', handle: list },
};
