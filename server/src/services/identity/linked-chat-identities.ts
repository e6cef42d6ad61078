import { asc, isNotNull } from 'drizzle-orm';
import { hasScope } from '../../context';
import { teamsUsers, users } from '../../db/schema';
import { forbidden } from '../../errors';
import type { Ctx } from '../core';

export type LinkedIdentities = {
  slack: { email: string; slackUserId: string }[];
  teams: {
    email: string;
    teamsUserId: string;
    aadObjectId: string;
    tenantId: string | null;
    updatedAt: string;
  }[];
};

/**
 * Which chat accounts stand for which people: the Slack user each email was linked to (the users
 * table, written by linkSlackUser) and the Teams users learnt when they first acted there. An admin
 * reads this to see who a button click in Slack or Teams will be counted as.
 */
export async function linkedChatIdentities({ ctx }: { ctx: Ctx }): Promise<LinkedIdentities> {
  const { core, actor } = ctx;
  if (!hasScope(actor, 'admin')) throw forbidden('reading linked chat identities needs the admin scope');
  const db = core.database.db;
  const [slack, teams] = await Promise.all([
    db
      .select({ email: users.email, slackUserId: users.slackUserId })
      .from(users)
      .where(isNotNull(users.slackUserId))
      .orderBy(asc(users.email)),
    db.select().from(teamsUsers).orderBy(asc(teamsUsers.email)),
  ]);
  return {
    slack: slack.flatMap((r) =>
      r.slackUserId === null ? [] : [{ email: r.email, slackUserId: r.slackUserId }],
    ),
    teams: teams.map((r) => ({
      email: r.email,
      teamsUserId: r.teamsUserId,
      aadObjectId: r.aadObjectId,
      tenantId: r.tenantId,
      updatedAt: new Date(r.updatedAt).toISOString(),
    })),
  };
}
