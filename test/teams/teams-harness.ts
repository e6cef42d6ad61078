import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness';
import { startTeamsEmulator, type TeamsEmulator } from '../teams-emulator';

export const TEAMS_POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com]
rules:
  - name: deploys
    match: { action: deploy.* }
    effect: review
    approvers: [sre]
    teams: "Platform/Approvals"
  - name: two-keys
    match: { action: db.drop }
    effect: review
    approvers: [sre]
    minApprovals: 2
    teams: "Platform/Approvals"
  - name: quick
    match: { action: quick.* }
    effect: review
    approvers: [sre]
    timeout: 2s
    teams: "Platform/Approvals"
default: { effect: review, approvers: [sre] }
`;

export const TEAM = { id: '19:platform@thread.tacv2', name: 'Platform' };
export const CHANNEL = '19:approvals@thread.tacv2';
export const PEOPLE = {
  alice: { aadObjectId: randomUUID(), teamsId: '29:alice', mail: 'alice@example.com' },
  bob: { aadObjectId: randomUUID(), teamsId: '29:bob', mail: 'bob@example.com' },
  mallory: { aadObjectId: randomUUID(), teamsId: '29:mallory', mail: 'mallory@example.com' },
  olga: { aadObjectId: randomUUID(), teamsId: '29:olga', mail: 'olga@example.com' },
} as const;
export type Who = keyof typeof PEOPLE;

export type TeamsTest = { t: TestServer; ms: TeamsEmulator; restart(): Promise<void> };

/** The Platform team (General and Approvals) and every one of PEOPLE, in the emulator. */
export function seedEmulator(ms: TeamsEmulator): void {
  ms.addTeam({
    ...TEAM,
    channels: [
      { id: TEAM.id, name: null },
      { id: CHANNEL, name: 'Approvals' },
    ],
  });
  for (const p of Object.values(PEOPLE)) ms.addUser({ aadObjectId: p.aadObjectId, mail: p.mail });
}

/** The environment that turns a server's Teams bot on, pointed at the emulator. */
export const teamsEnv = (ms: TeamsEmulator): Record<string, string> => ({
  TEAMS_APP_ID: ms.appId,
  TEAMS_APP_PASSWORD: ms.appPassword,
  TEAMS_TENANT_ID: ms.tenantId,
  TEAMS_LOGIN_URL: ms.url,
  TEAMS_GRAPH_URL: `${ms.url}/graph/v1.0/`,
});

/** The bot added to the Platform team, as Teams tells it: how it learns the team's name. */
export async function install(s: TeamsTest): Promise<void> {
  const installed = await activity(s, { type: 'conversationUpdate', channelData: { team: TEAM } }, TEAM.id);
  if (installed.status !== 200) throw new Error(`install answered ${installed.status}`);
}

/**
 * The emulator, a real server whose Teams bot points at it, and the bot installed in the Platform team.
 * `policy` and `env` (e.g. COUNTERSIGN_PUBLIC_URL) replace or add to the defaults.
 */
export function useTeamsTest(options: { policy?: string; env?: Record<string, string> } = {}): TeamsTest {
  const policy = options.policy ?? TEAMS_POLICY;
  let t: TestServer | undefined;
  let ms: TeamsEmulator | undefined;
  let env: Record<string, string> = {};
  beforeEach(async () => {
    ms = await startTeamsEmulator();
    seedEmulator(ms);
    env = { ...teamsEnv(ms), ...options.env };
    t = await startTestServer({ policy, env });
    await install(test);
  });
  afterEach(async () => {
    await t?.stop();
    await ms?.stop();
  });
  const test: TeamsTest = {
    get t() {
      if (!t) throw new Error('no server');
      return t;
    },
    get ms() {
      if (!ms) throw new Error('no emulator');
      return ms;
    },
    restart: async () => {
      if (!t) return;
      const { dir } = t;
      await t.stop({ keepDir: true });
      t = await startTestServer({ policy, env, dir });
    },
  };
  return test;
}

/** POSTs an activity to /teams/messages as Teams would, with a token the emulator signed (or `token`). */
export async function activity(
  s: TeamsTest,
  fields: Record<string, unknown>,
  conversationId = CHANNEL,
  options: { from?: Who; token?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const person = PEOPLE[options.from ?? 'alice'];
  const id = randomUUID();
  s.ms.inbound(conversationId, id);
  const personal = conversationId.startsWith('a:');
  const body = {
    id,
    channelId: 'msteams',
    serviceUrl: s.ms.serviceUrl,
    from: { id: person.teamsId, aadObjectId: person.aadObjectId, name: person.mail },
    recipient: { id: `28:${s.ms.appId}`, name: 'Countersign' },
    conversation: {
      id: conversationId,
      tenantId: s.ms.tenantId,
      conversationType: personal ? 'personal' : 'channel',
    },
    ...fields,
  };
  const response = await fetch(`${s.t.url}/teams/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token ?? s.ms.token()}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A click on a card's Approve or Deny (Action.Execute), as the invoke Teams sends. */
export function click(
  s: TeamsTest,
  cardId: string,
  who: Who,
  verb: 'approve' | 'deny',
  actionId: string,
  reason?: string,
  token?: string,
) {
  return activity(
    s,
    {
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: cardId,
      value: {
        action: {
          type: 'Action.Execute',
          verb: `countersign.${verb}`,
          data: { actionId, ...(reason && { reason }) },
        },
        trigger: 'manual',
      },
    },
    CHANNEL,
    { from: who, ...(token && { token }) },
  );
}

/**
 * A press of a card button (Action.Execute) carrying its inputs, as the invoke Teams sends, and what
 * the clicker was shown: a card (the request's, replaced) or a message.
 */
export async function press(
  s: TeamsTest,
  who: Who,
  verb: string,
  data: Record<string, unknown>,
  replyToId: string,
  conversationId = CHANNEL,
): Promise<{ kind: string; text: string; card: unknown }> {
  const answer = await activity(
    s,
    {
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId,
      value: { action: { type: 'Action.Execute', verb: `countersign.${verb}`, data }, trigger: 'manual' },
    },
    conversationId,
    { from: who },
  );
  if (answer.status !== 200) throw new Error(`the invoke answered ${answer.status}`);
  const body = answer.body as { type: string; value: unknown };
  return {
    kind: body.type.endsWith('card.adaptive') ? 'card' : 'message',
    text: typeof body.value === 'string' ? body.value : JSON.stringify(body.value),
    card: body.value,
  };
}

export async function until<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Submits as an agent and waits for its card in the channel. */
export async function submitAndWaitForCard(s: TeamsTest, action = 'deploy.web') {
  const key = await s.t.agentKey('deployer', 'olga@example.com');
  const submitted = await s.t.call<{ id: string }>('POST', '/v1/actions', {
    key,
    body: { action, resource: 'web', environment: 'prod' },
  });
  const id = submitted.body.id;
  const card = await until(() =>
    s.ms.posts.find(
      (p) => p.conversationId === CHANNEL && !p.replyTo && JSON.stringify(p.activity).includes(id),
    ),
  );
  return { id, cardId: card.id, key };
}

/** A message typed in a 1:1 chat with the bot (conversation ids of 1:1 chats start with `a:`). */
export function say(s: TeamsTest, who: Who, text: string, conversationId = `a:chat-${who}`) {
  return activity(s, { type: 'message', text }, conversationId, { from: who });
}

/** The bot's replies in a conversation, as text, oldest first. */
export const repliesIn = (s: TeamsTest, conversationId: string): string[] =>
  s.ms.posts
    .filter((p) => p.conversationId === conversationId)
    .map((p) => (typeof p.activity.text === 'string' ? p.activity.text : JSON.stringify(p.activity)));
