import { signSlackRequest } from '@countersign/bot';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness';
import { type JsonObject, type SlackEmulator, startSlackEmulator } from '../slack-emulator';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

export const SLACK_POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com, slack:@sre-oncall]
  data-owners: [carol@example.com, dan@example.com, alice@example.com]
rules:
  - name: reads-are-free
    match: { action: "**.get*" }
    effect: allow
  - name: customer-export
    match: { action: db.export }
    effect: review
    approvers: [data-owners]
    minApprovals: 2
    channel: "#data-approvals"
  - name: quick
    match: { action: quick.thing }
    effect: review
    approvers: [sre]
    timeout: 1s
default: { effect: review, approvers: [sre] }
`;

export const PEOPLE = {
  alice: { id: 'U0ALICE', email: 'alice@example.com' },
  bob: { id: 'U0BOB', email: 'bob@example.com' },
  carol: { id: 'U0CAROL', email: 'carol@example.com' },
  dan: { id: 'U0DAN', email: 'dan@example.com' },
  erin: { id: 'U0ERIN', email: 'erin@example.com' },
  olga: { id: 'U0OLGA', email: 'olga@example.com' },
} as const;
export type Who = keyof typeof PEOPLE;

export type SlackTest = {
  /** The current server; `restart()` replaces it. */
  t: TestServer;
  slack: SlackEmulator;
  /** Stops the server (keeping its database file and the emulator) and starts a new one on the same file. */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

/** The emulator first (Bolt calls auth.test at start-up), then a real server whose bot points at it. */
export async function startSlackTest(
  options: { env?: Record<string, string>; policy?: string; socketMode?: boolean } = {},
): Promise<SlackTest> {
  const slack = await startSlackEmulator();
  for (const person of Object.values(PEOPLE))
    slack.addUser({ id: person.id, email: person.email, name: person.email.split('@')[0] });
  slack.addUsergroup({ id: 'S0ONCALL', handle: 'sre-oncall', users: [PEOPLE.olga.id] });
  const policy = options.policy ?? SLACK_POLICY;
  const env = {
    SLACK_BOT_TOKEN: slack.options.botToken,
    // Socket Mode runs without a signing secret: the app token is the credential.
    ...(options.socketMode
      ? { SLACK_APP_TOKEN: slack.options.appToken }
      : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    SLACK_API_URL: slack.apiUrl,
    SLACK_APPROVALS_CHANNEL: '#ops-approvals',
    ...options.env,
  };
  const test: SlackTest = {
    t: await startTestServer({ policy, env }),
    slack,
    restart: async () => {
      const { dir } = test.t;
      await test.t.stop({ keepDir: true });
      test.t = await startTestServer({ policy, env, dir });
    },
    stop: async () => {
      await test.t.stop();
      await slack.stop();
    },
  };
  return test;
}

type SlackTestOptions = Parameters<typeof startSlackTest>[0];

/**
 * The prelude of a Slack test file: a Slack test started before each test (`per: 'file'`: once, shared
 * by all of the file's tests) and stopped after it. The object it returns always speaks for the one
 * running now, so a file reads `const s = useSlackTest();` and its tests use `s.t` and `s.slack`.
 */
export function useSlackTest(
  options: SlackTestOptions = {},
  { per = 'test' }: { per?: 'test' | 'file' } = {},
): SlackTest {
  let current: SlackTest | undefined;
  const running = (): SlackTest => {
    if (!current) throw new Error('no Slack test is running: use it inside a test or hook');
    return current;
  };
  (per === 'file' ? beforeAll : beforeEach)(async () => {
    current = await startSlackTest(options);
  });
  (per === 'file' ? afterAll : afterEach)(async () => {
    await current?.stop();
    current = undefined;
  });
  return {
    get t() {
      return running().t;
    },
    get slack() {
      return running().slack;
    },
    restart: () => running().restart(),
    stop: () => running().stop(),
  };
}

export type Signed = {
  body: string;
  contentType: string;
  timestamp?: number;
  signature?: string;
  secret?: string;
};

/** POSTs to /slack/events exactly as Slack does: raw body, content type, v0 signature over both. */
export async function postToSlackEvents(t: TestServer, request: Signed): Promise<Response> {
  const timestamp = request.timestamp ?? Math.floor(Date.now() / 1000);
  const signature =
    request.signature ?? signSlackRequest(request.secret ?? SIGNING_SECRET, request.body, timestamp);
  return fetch(`${t.url}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': request.contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
    body: request.body,
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** A slash command as Slack posts it; `responseUrlId` names the emulator response URL its replies go to. */
export function slashCommand(
  slack: SlackEmulator,
  who: Who,
  command: string,
  text: string,
): Signed & { responseUrlId: string } {
  const user = PEOPLE[who];
  const responseUrlId = `cmd-${Math.random().toString(36).slice(2)}`;
  return {
    responseUrlId,
    contentType: 'application/x-www-form-urlencoded',
    body: form({
      token: 'legacy-verification-token',
      team_id: 'T0TEST',
      team_domain: 'test',
      channel_id: 'C0OPS',
      channel_name: 'ops-approvals',
      user_id: user.id,
      user_name: who,
      command,
      text,
      api_app_id: 'A0TEST',
      response_url: slack.responseUrl(responseUrlId),
      trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    }),
  };
}

export type ButtonAction =
  | 'countersign.approve'
  | 'countersign.deny'
  | 'countersign.amend'
  | 'countersign.standing'
  | 'countersign.answer'
  | 'countersign.ask'
  | 'countersign.break_glass'
  | 'countersign.sign_off'
  | 'countersign.flag'
  | 'countersign.revoke_standing'
  // A link button (Approve (MFA), Break glass (MFA)…): Slack still sends its click, which is only acked.
  | 'countersign.step_up';
export type ButtonWhere = { channel: string; ts: string } | 'home';

/** A block_actions payload for a click on one of a request's buttons, in a message or on the Home tab. */
export function buttonPayload(
  slack: SlackEmulator,
  who: Who,
  actionId: ButtonAction,
  requestId: string,
  where: ButtonWhere,
): JsonObject {
  const user = PEOPLE[who];
  return {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: user.id, username: who, name: who, team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    ...(where === 'home'
      ? { container: { type: 'view', view_id: 'V0HOME' }, view: { id: 'V0HOME', type: 'home', blocks: [] } }
      : {
          container: {
            type: 'message',
            message_ts: where.ts,
            channel_id: where.channel,
            is_ephemeral: false,
          },
          channel: { id: where.channel, name: 'approvals' },
          message: { ts: where.ts, type: 'message', text: '' },
          response_url: slack.responseUrl(`btn-${Math.random().toString(36).slice(2)}`),
        }),
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: `decide:${requestId}`,
        value: requestId,
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
}

export function buttonClick(
  slack: SlackEmulator,
  who: Who,
  actionId: ButtonAction,
  requestId: string,
  where: ButtonWhere,
): Signed {
  const payload = buttonPayload(slack, who, actionId, requestId, where);
  return {
    contentType: 'application/x-www-form-urlencoded',
    body: form({ payload: JSON.stringify(payload) }),
  };
}

/**
 * The deny modal's submission. `privateMetadata` is what the bot put in the modal it opened (pass it
 * through, as Slack does); without it, a minimal `{id}`.
 */
export function denySubmission(
  who: Who,
  requestId: string,
  reason: string,
  privateMetadata = JSON.stringify({ id: requestId }),
): Signed {
  const user = PEOPLE[who];
  const payload = {
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: user.id, username: who, name: who, team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    view: {
      id: 'V0MODAL',
      type: 'modal',
      callback_id: 'countersign.deny_modal',
      private_metadata: privateMetadata,
      state: { values: { reason: { reason_input: { type: 'plain_text_input', value: reason } } } },
      hash: 'h',
      team_id: 'T0TEST',
      app_id: 'A0TEST',
      blocks: [],
    },
  };
  return {
    contentType: 'application/x-www-form-urlencoded',
    body: form({ payload: JSON.stringify(payload) }),
  };
}

export function homeOpened(who: Who): Signed {
  const body = {
    token: 'legacy-verification-token',
    team_id: 'T0TEST',
    api_app_id: 'A0TEST',
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2)}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'app_home_opened',
      user: PEOPLE[who].id,
      channel: 'D0HOME',
      tab: 'home',
      event_ts: String(Date.now() / 1000),
    },
    authorizations: [{ team_id: 'T0TEST', user_id: 'U0BOT', is_bot: true }],
  };
  return { contentType: 'application/json', body: JSON.stringify(body) };
}
