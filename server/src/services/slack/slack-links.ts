import { eq } from 'drizzle-orm';
import { slackMessages, users } from '../../db/schema';
import type { Core } from '../core';

export type MessageRef = { channel: string; ts: string };

/** Where a request's Slack message lives, so updates and thread replies find it after a restart. */
export async function slackMessageOf(core: Core, actionId: string): Promise<MessageRef | undefined> {
  const [row] = await core.database.db
    .select()
    .from(slackMessages)
    .where(eq(slackMessages.actionId, actionId))
    .limit(1);
  return row ? { channel: row.channel, ts: row.ts } : undefined;
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
