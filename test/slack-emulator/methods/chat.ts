import { validateMessage } from '../block-kit-validator';
import { messageObject } from '../message-store';
import { stringArg } from '../request';
import type { Json, JsonObject } from '../types';
import { fail, invalidBlocks, type MethodContext, type MethodTable, missingArgument } from './method-context';

/**
 * Checks a message body the way chat.* do: something to show, text within 40,000 characters, valid blocks.
 * Returns the error body, or undefined when the content is acceptable.
 */
export function rejectMessageContent(args: JsonObject, requireContent: boolean): JsonObject | undefined {
  if (typeof args.blocks === 'string') return fail('invalid_blocks_format');
  const hasContent =
    stringArg(args, 'text') !== undefined || args.blocks !== undefined || args.attachments !== undefined;
  if (requireContent && !hasContent) return fail('no_text');
  const issues = validateMessage(args);
  if (issues.some((issue) => issue.error === 'msg_too_long')) return fail('msg_too_long');
  return issues.length > 0 ? invalidBlocks(issues) : undefined;
}

function blocksArg(args: JsonObject): Json[] | undefined {
  return Array.isArray(args.blocks) ? args.blocks : undefined;
}

// Slack keeps a message's metadata only when it has an event_type and an object event_payload.
function metadataArg(args: JsonObject): JsonObject | undefined {
  const metadata = args.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  const payload = metadata.event_payload;
  if (typeof metadata.event_type !== 'string' || typeof payload !== 'object' || payload === null)
    return undefined;
  return { event_type: metadata.event_type, event_payload: payload };
}

function postMessage({ args, directory, store, options }: MethodContext): JsonObject {
  const requested = stringArg(args, 'channel');
  const channel = requested === undefined ? undefined : directory.resolveChannel(requested);
  if (channel === undefined) return fail('channel_not_found');
  const rejected = rejectMessageContent(args, true);
  if (rejected !== undefined) return rejected;
  const metadata = metadataArg(args);
  if (args.metadata !== undefined && metadata === undefined) return fail('invalid_metadata_format');
  const message = store.post({
    channel,
    ts: store.nextTs(),
    threadTs: stringArg(args, 'thread_ts'),
    text: stringArg(args, 'text') ?? '',
    blocks: blocksArg(args),
    user: options.botUserId,
    botId: options.botId,
    metadata,
  });
  return {
    ok: true,
    channel,
    ts: message.ts,
    message: messageObject(message, options.appId, options.teamId),
  };
}

function update({ args, directory, store, options }: MethodContext): JsonObject {
  const requested = stringArg(args, 'channel');
  const channel = requested === undefined ? undefined : directory.resolveChannel(requested);
  if (channel === undefined) return fail('channel_not_found');
  const ts = stringArg(args, 'ts');
  if (ts === undefined || store.get(channel, ts)?.deleted !== false) return fail('message_not_found');
  const rejected = rejectMessageContent(args, true);
  if (rejected !== undefined) return rejected;
  const message = store.update(
    channel,
    ts,
    { text: stringArg(args, 'text'), blocks: blocksArg(args) },
    'chat.update',
  );
  if (message === undefined) return fail('message_not_found');
  return {
    ok: true,
    channel,
    ts,
    text: message.text,
    message: messageObject(message, options.appId, options.teamId),
  };
}

function postEphemeral({ args, directory, store }: MethodContext): JsonObject {
  const requested = stringArg(args, 'channel');
  const channel = requested === undefined ? undefined : directory.resolveChannel(requested);
  if (channel === undefined) return fail('channel_not_found');
  const user = stringArg(args, 'user');
  if (user === undefined) return missingArgument('user');
  // The emulator has no channel membership; a user it was never told about cannot be "in" the channel.
  if (!directory.users.has(user)) return fail('user_not_in_channel');
  const rejected = rejectMessageContent(args, true);
  if (rejected !== undefined) return rejected;
  // Ephemeral messages are not stored: only their recipient ever sees them, and they cannot be edited by ts.
  return { ok: true, message_ts: store.nextTs() };
}

function deleteMessage({ args, directory, store }: MethodContext): JsonObject {
  const requested = stringArg(args, 'channel');
  const channel = requested === undefined ? undefined : directory.resolveChannel(requested);
  if (channel === undefined) return fail('channel_not_found');
  const ts = stringArg(args, 'ts');
  if (ts === undefined || !store.delete(channel, ts)) return fail('message_not_found');
  return { ok: true, channel, ts };
}

export const chatMethods: MethodTable = {
  'chat.postMessage': { token: 'bot', handle: postMessage },
  'chat.update': { token: 'bot', handle: update },
  'chat.postEphemeral': { token: 'bot', handle: postEphemeral },
  'chat.delete': { token: 'bot', handle: deleteMessage },
};
