import { and, eq, gte, lt } from 'drizzle-orm';
import { slackMessages } from '../../db/schema';
import type { Core } from '../core';
import type { MessageRef } from './slack-links';

/**
 * Every Slack message that offers a break-glass's Sign off / Flag… (its thread post, each approver's
 * DM) is remembered until the follow-up closes, when the bot rewrites it without the buttons. They are
 * rows of slack_messages under a key of their own (`<action id>#follow-up:<channel>:<ts>`): that table
 * already holds "where a message of this request lives", keyed by one text, and a request's own message
 * (key: the bare action id) never starts with a longer key's prefix, so neither is mistaken for the
 * other. One row per message, not per channel: a broadcast sent again after a crash leaves two copies,
 * and both must lose their buttons.
 */
const prefix = (actionId: string): string => `${actionId}#follow-up:`;
// The first string after every `<prefix>…` key: '#follow-up;' (';' follows ':'), for a range on the primary key.
const after = (actionId: string): string => `${actionId}#follow-up;`;
const keyOf = (actionId: string, ref: MessageRef): string => `${prefix(actionId)}${ref.channel}:${ref.ts}`;

export async function saveFollowUpPost(core: Core, actionId: string, ref: MessageRef): Promise<void> {
  await core.writes.run((tx) =>
    tx
      .insert(slackMessages)
      .values({ actionId: keyOf(actionId, ref), ...ref, createdAt: core.now() })
      .onConflictDoNothing({ target: slackMessages.actionId }),
  );
}

/** The follow-up posts of this request not yet rewritten, oldest first. */
export async function followUpPostsOf(core: Core, actionId: string): Promise<MessageRef[]> {
  const rows = await core.database.db
    .select({ channel: slackMessages.channel, ts: slackMessages.ts, createdAt: slackMessages.createdAt })
    .from(slackMessages)
    .where(and(gte(slackMessages.actionId, prefix(actionId)), lt(slackMessages.actionId, after(actionId))));
  return rows
    .sort((a, b) => a.createdAt - b.createdAt || Number(a.ts) - Number(b.ts))
    .map(({ channel, ts }) => ({ channel, ts }));
}

/** Once rewritten (or gone from Slack), a post is forgotten: a retried delivery skips it. */
export async function forgetFollowUpPost(core: Core, actionId: string, ref: MessageRef): Promise<void> {
  await core.writes.run((tx) =>
    tx.delete(slackMessages).where(eq(slackMessages.actionId, keyOf(actionId, ref))),
  );
}
