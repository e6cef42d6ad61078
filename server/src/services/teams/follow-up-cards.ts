import type { CardRef } from '@countersign/bot';
import { and, eq, gte, lt } from 'drizzle-orm';
import { teamsMessages } from '../../db/schema';
import type { Core } from '../core';

/**
 * The 1:1 cards that offer a break-glass's Sign off / Flag… to each approver, remembered until the
 * follow-up closes, when the bot rewrites them without the buttons. They are rows of teams_messages
 * under a key of their own (`<action id>#follow-up:<conversation>:<activity>`), as Slack keeps its
 * follow-up posts in slack_messages: that table already holds "where a card of this request lives",
 * keyed by one text, and the request's own card (key: the bare action id) is never read by a prefix.
 */
const prefix = (actionId: string): string => `${actionId}#follow-up:`;
// The first string after every `<prefix>…` key (';' follows ':'), for a range on the primary key.
const after = (actionId: string): string => `${actionId}#follow-up;`;
const keyOf = (actionId: string, ref: CardRef): string =>
  `${prefix(actionId)}${ref.conversationId}:${ref.activityId}`;

export async function saveFollowUpCard(core: Core, actionId: string, ref: CardRef): Promise<void> {
  await core.writes.run((tx) =>
    tx
      .insert(teamsMessages)
      .values({ actionId: keyOf(actionId, ref), ...ref, createdAt: core.now() })
      .onConflictDoNothing({ target: teamsMessages.actionId }),
  );
}

/** The follow-up cards of this request not yet rewritten, oldest first. */
export async function followUpCardsOf(core: Core, actionId: string): Promise<CardRef[]> {
  const rows = await core.database.db
    .select()
    .from(teamsMessages)
    .where(and(gte(teamsMessages.actionId, prefix(actionId)), lt(teamsMessages.actionId, after(actionId))));
  return rows
    .sort((a, b) => a.createdAt - b.createdAt)
    .map(({ conversationId, activityId, serviceUrl }) => ({ conversationId, activityId, serviceUrl }));
}

/** Once rewritten (or gone from Teams), a card is forgotten: a retried delivery skips it. */
export async function forgetFollowUpCard(core: Core, actionId: string, ref: CardRef): Promise<void> {
  await core.writes.run((tx) =>
    tx.delete(teamsMessages).where(eq(teamsMessages.actionId, keyOf(actionId, ref))),
  );
}
