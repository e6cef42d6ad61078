import { and, eq, ne } from 'drizzle-orm';
import { slackMessages, users } from '../../db/schema';
import type { Core } from '../core';

export type MessageRef = { channel: string; ts: string };

/**
 * A row with an empty ts is a claim, not a message: "posting this request's message since created_at"
 * (see claimSlackPost). Only a recorded ts is a message updates and thread replies can find.
 */
const CLAIMED = '';

/** Where a request's Slack message lives, so updates and thread replies find it after a restart. */
export async function slackMessageOf(core: Core, actionId: string): Promise<MessageRef | undefined> {
  const [row] = await core.database.db
    .select()
    .from(slackMessages)
    .where(and(eq(slackMessages.actionId, actionId), ne(slackMessages.ts, CLAIMED)))
    .limit(1);
  return row ? { channel: row.channel, ts: row.ts } : undefined;
}

/**
 * Written before chat.postMessage, so a node that dies between Slack accepting the post and the ts
 * being saved leaves a trace: the next attempt sees `earlier: true` and looks in the channel's
 * history (from `since`) for the message before posting again. The first claim's time is kept, so
 * the search reaches back to the first attempt however many crashes followed.
 */
export async function claimSlackPost(
  core: Core,
  actionId: string,
  channel: string,
): Promise<{ since: number; earlier: boolean }> {
  const now = core.now();
  const inserted = await core.writes.run((tx) =>
    tx
      .insert(slackMessages)
      .values({ actionId, channel, ts: CLAIMED, createdAt: now })
      .onConflictDoNothing({ target: slackMessages.actionId })
      .returning({ since: slackMessages.createdAt }),
  );
  if (inserted[0]) return { since: inserted[0].since, earlier: false };
  const [row] = await core.database.db
    .select({ since: slackMessages.createdAt })
    .from(slackMessages)
    .where(eq(slackMessages.actionId, actionId))
    .limit(1);
  return { since: row?.since ?? now, earlier: true };
}

export async function saveSlackMessage(core: Core, actionId: string, ref: MessageRef): Promise<void> {
  await core.writes.run((tx) =>
    tx
      .insert(slackMessages)
      .values({ actionId, ...ref, createdAt: core.now() })
      .onConflictDoUpdate({ target: slackMessages.actionId, set: ref }),
  );
}

/** Remembers which Slack user a person is; a Slack user whose email changed moves with it. */
export async function linkSlackUser(core: Core, email: string, slackUserId: string): Promise<void> {
  await core.writes.run(async (tx) => {
    await tx.update(users).set({ slackUserId: null }).where(eq(users.slackUserId, slackUserId));
    await tx
      .insert(users)
      .values({ email, slackUserId, createdAt: core.now() })
      .onConflictDoUpdate({ target: users.email, set: { slackUserId } });
  });
}

export async function slackUserIdOf(core: Core, email: string): Promise<string | undefined> {
  const [row] = await core.database.db
    .select({ id: users.slackUserId })
    .from(users)
    .where(eq(users.email, email))
    .limit(1);
  return row?.id ?? undefined;
}
