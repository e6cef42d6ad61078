import type { KnownBlock, WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ApprovalsPort, MessageRef } from '../port';
import { slackErrorText } from '../slack-error';

/** The message metadata every request message carries, so a retry can find a post it made before. */
export const REQUEST_EVENT = 'countersign_request';

// Slack's ts and our clock are different clocks: reach back a minute before the claim.
const CLOCK_SLACK_MS = 60_000;
// Pages of history to read before giving up and posting again; a busy channel's minute fits in a few.
const MAX_PAGES = 10;

/**
 * Posts a request's message once, even across a crash. The post is claimed (a "posting since T" row)
 * before chat.postMessage and carries the request id in its metadata; when an earlier claim was never
 * followed by a saved ts, the channel's history since T is searched for that message and its ts
 * adopted instead of posting a second copy with live buttons. Any further copies found (from before
 * this safeguard, or a history read that failed) are deleted, so no stale copy keeps its buttons.
 * conversations.history takes a channel id, so a channel named `#approvals` is resolved first
 * (conversations.list; channels:read, groups:read).
 */
export async function postRequestOnce(deps: {
  client: WebClient;
  port: ApprovalsPort;
  log: Logger;
  /** Channel names (`#approvals`) this node has seen Slack resolve to ids; history takes only ids. */
  channelIds: Map<string, string>;
  actionId: string;
  channel: string;
  message: { text: string; blocks: KnownBlock[] };
}): Promise<MessageRef | undefined> {
  const { client, port, actionId, channel } = deps;
  const claim = await port.claimPost(actionId, channel);
  if (claim.earlier) {
    try {
      const id = await channelId(client, deps.channelIds, channel);
      const [kept, ...extra] = id ? await findPosted(client, id, actionId, claim.since - CLOCK_SLACK_MS) : [];
      if (id && kept) {
        for (const ts of extra) await client.chat.delete({ channel: id, ts });
        const ref = { channel: id, ts: kept };
        await port.saveMessage(actionId, ref);
        return ref;
      }
    } catch (error) {
      // Without history (a missing scope, say) the one safe course left is the old one: post again.
      deps.log.warn(
        { actionId, channel, err: slackErrorText(error) },
        'could not look for an earlier post of this request in Slack; posting it again',
      );
    }
  }
  const posted = await client.chat.postMessage({
    channel,
    ...deps.message,
    metadata: { event_type: REQUEST_EVENT, event_payload: { action_id: actionId } },
    unfurl_links: false,
  });
  if (!posted.channel || !posted.ts) return undefined;
  deps.channelIds.set(channel, posted.channel);
  const ref = { channel: posted.channel, ts: posted.ts };
  await port.saveMessage(actionId, ref);
  return ref;
}

/** A conversation id for what a rule or SLACK_APPROVALS_CHANNEL names: an id as is, a name looked up. */
async function channelId(
  client: WebClient,
  known: Map<string, string>,
  channel: string,
): Promise<string | undefined> {
  if (/^[CGD][A-Z0-9]{2,}$/.test(channel)) return channel;
  const cached = known.get(channel);
  if (cached) return cached;
  const name = channel.replace(/^#/, '');
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listed = await client.conversations.list({
      types: 'public_channel,private_channel',
      exclude_archived: true,
      limit: 1000,
      ...(cursor && { cursor }),
    });
    const found = listed.channels?.find((c) => c.name === name)?.id;
    if (found) {
      known.set(channel, found);
      return found;
    }
    cursor = listed.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** The ts of every top-level message in `channel` since `sinceMs` that carries this request id, oldest first. */
async function findPosted(
  client: WebClient,
  channel: string,
  actionId: string,
  sinceMs: number,
): Promise<string[]> {
  const found: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const history = await client.conversations.history({
      channel,
      oldest: (Math.max(0, sinceMs) / 1000).toFixed(6),
      include_all_metadata: true,
      limit: 200,
      ...(cursor && { cursor }),
    });
    for (const message of history.messages ?? []) {
      const payload: unknown = message.metadata?.event_payload;
      if (
        message.ts &&
        message.metadata?.event_type === REQUEST_EVENT &&
        typeof payload === 'object' &&
        payload !== null &&
        'action_id' in payload &&
        payload.action_id === actionId
      )
        found.push(message.ts);
    }
    cursor = history.response_metadata?.next_cursor || undefined;
    if (!history.has_more || !cursor) break;
  }
  return found.sort((a, b) => Number(a) - Number(b));
}
