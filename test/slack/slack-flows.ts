import type { ActionRequest, AuditEvent } from '@countersign/shared';
import { expect } from 'vitest';
import { auditEvents, submit, type TestServer } from '../../server/test/harness';
import type { Json, RecordedCall, SlackEmulator } from '../slack-emulator';
import { PEOPLE, type SlackTest, type Who } from './slack-harness';

/** Where a request's message lives in Slack. */
export type MessageRef = { channel: string; ts: string };

/** Every string a payload holds (texts, block ids, values), joined: what a reader could see. */
export function shown(value: Json | undefined): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(shown).join('\n');
  if (value !== null && typeof value === 'object') return Object.values(value).map(shown).join('\n');
  return '';
}

const ok = (call: RecordedCall) => call.response.ok === true;
const names = (call: RecordedCall, id: string) => shown(call.args).includes(id);

/** The request's own message: a successful top-level chat.postMessage with blocks that name its id. */
const isRequestPost = (id: string) => (call: RecordedCall) =>
  ok(call) && call.args.thread_ts === undefined && Array.isArray(call.args.blocks) && names(call, id);

export async function postedMessage(slack: SlackEmulator, id: string, timeoutMs = 5000): Promise<MessageRef> {
  const call = await slack.waitFor('chat.postMessage', isRequestPost(id), timeoutMs);
  return { channel: String(call.response.channel), ts: String(call.response.ts) };
}

export type HeldRequest = { agent: string; req: ActionRequest; ref: MessageRef };

/**
 * Where most Slack tests begin: an agent's key, its request held for review, and that request's message
 * out in Slack. By default ops-bot (owned by erin) asks for terraform.apply in prod.
 */
export async function heldRequest(
  s: Pick<SlackTest, 't' | 'slack'>,
  {
    agent = 'ops-bot',
    owner = 'erin@example.com',
    submission = { action: 'terraform.apply', environment: 'prod' },
  }: { agent?: string; owner?: string; submission?: Record<string, unknown> } = {},
): Promise<HeldRequest> {
  const key = await s.t.agentKey(agent, owner);
  const req = await submit(s.t, key, submission);
  const ref = await postedMessage(s.slack, req.id);
  return { agent: key, req, ref };
}

/** How many times the request's message was posted (it must be once). */
export const postsOf = (slack: SlackEmulator, id: string): RecordedCall[] =>
  slack.callsTo('chat.postMessage').filter(isRequestPost(id));

export const threadReplies = (slack: SlackEmulator, ref: MessageRef): string[] =>
  slack
    .callsTo('chat.postMessage')
    .filter((c) => ok(c) && c.args.channel === ref.channel && c.args.thread_ts === ref.ts)
    .map((c) => String(c.args.text));

export async function waitForReply(
  slack: SlackEmulator,
  ref: MessageRef,
  text: string | RegExp,
  timeoutMs = 5000,
): Promise<RecordedCall> {
  return slack.waitFor(
    'chat.postMessage',
    (c) => ok(c) && c.args.thread_ts === ref.ts && matches(String(c.args.text), text),
    timeoutMs,
  );
}

/** The next chat.update of this message (same channel and ts) whose content satisfies `check`. */
export async function waitForUpdate(
  slack: SlackEmulator,
  ref: MessageRef,
  check: (content: string, call: RecordedCall) => boolean,
  timeoutMs = 5000,
): Promise<RecordedCall> {
  return slack.waitFor(
    'chat.update',
    (c) => ok(c) && c.args.channel === ref.channel && c.args.ts === ref.ts && check(shown(c.args), c),
    timeoutMs,
  );
}

export const hasButtons = (blocks: Json | undefined): boolean =>
  Array.isArray(blocks) &&
  blocks.some((b) => b !== null && typeof b === 'object' && !Array.isArray(b) && b.type === 'actions');

/** An ephemeral message to this person (only they see it). */
export async function waitForEphemeral(
  slack: SlackEmulator,
  who: Who,
  text: string | RegExp,
  timeoutMs = 5000,
): Promise<RecordedCall> {
  return slack.waitFor(
    'chat.postEphemeral',
    (c) => ok(c) && c.args.user === PEOPLE[who].id && matches(String(c.args.text), text),
    timeoutMs,
  );
}

/** A direct message from the bot: conversations.open with the person, then a post to that D… channel. */
export async function waitForDm(
  slack: SlackEmulator,
  who: Who,
  text: string | RegExp,
  timeoutMs = 5000,
): Promise<RecordedCall> {
  const open = await slack.waitFor(
    'conversations.open',
    (c) => ok(c) && c.args.users === PEOPLE[who].id,
    timeoutMs,
  );
  const channel = (open.response.channel as { id?: string } | undefined)?.id ?? '';
  expect(channel).toMatch(/^D/);
  return slack.waitFor(
    'chat.postMessage',
    (c) => ok(c) && c.args.channel === channel && matches(String(c.args.text), text),
    timeoutMs,
  );
}

/** The reply a slash command (or interaction) posted to its response_url. */
export async function waitForResponse(
  slack: SlackEmulator,
  responseUrlId: string,
  timeoutMs = 5000,
): Promise<string> {
  const call = await slack.waitFor('response_url', (c) => c.responseUrlId === responseUrlId, timeoutMs);
  return String(call.args.text);
}

/**
 * Fails on any Slack call that was answered ok:false — a limit break (invalid_blocks), an unknown channel,
 * a bad argument — except those `expected` names (faults the test injected).
 */
export function expectNoFailedSlackCalls(
  slack: SlackEmulator,
  expected: (call: RecordedCall) => boolean = () => false,
): void {
  const failed = slack.calls
    .filter((c) => !ok(c) && !expected(c))
    .map((c) => `${c.method} → ${c.status} ${JSON.stringify(c.response)}`);
  expect(failed).toEqual([]);
}

/** Waits until the Slack outbox has nothing left to deliver: every message, reply and update is out. */
export async function outboxDrained(t: TestServer, timeoutMs = 8000): Promise<void> {
  const db = t.rawDb();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await db.execute('SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL');
    if (Number(result.rows[0]?.n) === 0) return;
    if (Date.now() > deadline)
      throw new Error(`the Slack outbox still holds ${result.rows[0]?.n} deliveries`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const auditors = new WeakMap<TestServer, string>();

/** The audit events about one request, oldest first. */
export async function auditOf(t: TestServer, id: string): Promise<AuditEvent[]> {
  let key = auditors.get(t);
  if (!key) {
    key = await t.userKey('auditor@example.com', ['audit:read']);
    auditors.set(t, key);
  }
  return (await auditEvents(t, key)).filter((e) => e.subject === id);
}

export const typesOf = (events: AuditEvent[]): string[] => events.map((e) => e.type);

/** The request as its requester sees it. */
export async function fetchRequest(t: TestServer, key: string, id: string): Promise<ActionRequest> {
  const reply = await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key });
  expect(reply.status).toBe(200);
  return reply.body;
}

/** Waits (long-poll) until the request leaves `pending`, and returns it. */
export async function settledRequest(t: TestServer, key: string, id: string): Promise<ActionRequest> {
  const reply = await t.call<ActionRequest>('GET', `/v1/actions/${id}?wait=10`, { key });
  expect(reply.status).toBe(200);
  return reply.body;
}

function matches(text: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? text.includes(expected) : expected.test(text);
}
