import type { CardRef, TeamRef, TeamsUserRef } from '@countersign/bot';
import { eq, sql } from 'drizzle-orm';
import { actions, teamsMessages, teamsTeams, teamsUsers } from '../../db/schema';
import type { Core } from '../core';

/** Where a request's Teams card lives, so updates and thread replies find it after a restart. */
export async function teamsCardOf(core: Core, actionId: string): Promise<CardRef | undefined> {
  const [row] = await core.database.db
    .select()
    .from(teamsMessages)
    .where(eq(teamsMessages.actionId, actionId))
    .limit(1);
  return row
    ? { conversationId: row.conversationId, activityId: row.activityId, serviceUrl: row.serviceUrl }
    : undefined;
}

export async function saveTeamsCard(core: Core, actionId: string, ref: CardRef): Promise<void> {
  await core.writes.run((tx) =>
    tx
      .insert(teamsMessages)
      .values({ actionId, ...ref, createdAt: core.now() })
      .onConflictDoUpdate({ target: teamsMessages.actionId, set: ref }),
  );
}

/** The rule's `teams:` channel the request was submitted under. */
export async function teamsChannelOf(core: Core, actionId: string): Promise<string | undefined> {
  const [row] = await core.database.db
    .select({ teams: actions.teamsChannel })
    .from(actions)
    .where(eq(actions.id, actionId))
    .limit(1);
  return row?.teams ?? undefined;
}

/** Remembers how to reach a person in Teams (their Teams id and service), by the email Graph vouched for. */
export async function linkTeamsUser(
  core: Core,
  email: string,
  ref: TeamsUserRef & { aadObjectId: string },
): Promise<void> {
  const values = {
    teamsUserId: ref.teamsUserId,
    aadObjectId: ref.aadObjectId,
    serviceUrl: ref.serviceUrl,
    tenantId: ref.tenantId ?? null,
    updatedAt: core.now(),
  };
  await core.writes.run((tx) =>
    tx
      .insert(teamsUsers)
      .values({ email, ...values })
      .onConflictDoUpdate({ target: teamsUsers.email, set: values }),
  );
}

export async function teamsUserOf(core: Core, email: string): Promise<TeamsUserRef | undefined> {
  const [row] = await core.database.db.select().from(teamsUsers).where(eq(teamsUsers.email, email)).limit(1);
  return row
    ? {
        teamsUserId: row.teamsUserId,
        serviceUrl: row.serviceUrl,
        ...(row.tenantId && { tenantId: row.tenantId }),
      }
    : undefined;
}

export async function saveTeam(core: Core, team: TeamRef): Promise<void> {
  const values = {
    name: team.name,
    serviceUrl: team.serviceUrl,
    tenantId: team.tenantId ?? null,
    updatedAt: core.now(),
  };
  await core.writes.run((tx) =>
    tx
      .insert(teamsTeams)
      .values({ teamId: team.teamId, ...values })
      .onConflictDoUpdate({ target: teamsTeams.teamId, set: values }),
  );
}

/** A team by the name Teams shows (case-insensitive); the most recently seen when two share a name. */
export async function teamNamed(core: Core, name: string): Promise<TeamRef | undefined> {
  const [row] = await core.database.db
    .select()
    .from(teamsTeams)
    .where(sql`lower(${teamsTeams.name}) = lower(${name})`)
    .orderBy(sql`${teamsTeams.updatedAt} DESC`)
    .limit(1);
  return row
    ? {
        teamId: row.teamId,
        name: row.name,
        serviceUrl: row.serviceUrl,
        ...(row.tenantId && { tenantId: row.tenantId }),
      }
    : undefined;
}
