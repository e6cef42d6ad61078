import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import type { Json, JsonObject, RecordedCall } from '../slack-emulator';
import {
  expectNoFailedSlackCalls,
  fetchRequest,
  outboxDrained,
  postedMessage,
  shown,
  waitForUpdate,
} from './slack-flows';
import { buttonClick, homeOpened, PEOPLE, postToSlackEvents, useSlackTest, type Who } from './slack-harness';

// Three timeouts, so "nearest expiry first" is not also "newest first" or "oldest first".
const HOME_POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com, slack:@sre-oncall]
  data-owners: [carol@example.com, dan@example.com]
defaults: { timeout: 15m }
rules:
  - name: soon
    match: { action: soon.thing }
    effect: review
    approvers: [sre]
    timeout: 5m
  - name: later
    match: { action: later.thing }
    effect: review
    approvers: [sre]
    timeout: 30m
  - name: data
    match: { action: db.export }
    effect: review
    approvers: [data-owners]
default: { effect: review, approvers: [sre] }
`;

const s = useSlackTest({ policy: HOME_POLICY });

type Home = { waiting: string[]; buttons: string[]; mine: string; decided: string };

/** The Home tab split by its headings: request ids with buttons under "Waiting for you", the text of the rest. */
function readHome(call: RecordedCall): Home {
  const view = call.args.view as JsonObject;
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  const parts: Record<string, Json[]> = {};
  let current = '';
  for (const block of blocks) {
    const isObject = block !== null && typeof block === 'object' && !Array.isArray(block);
    const heading = isObject && block.type === 'header' ? block.text : undefined;
    if (heading !== null && typeof heading === 'object' && !Array.isArray(heading))
      current = String(heading.text).replace(/ \(\d+\)$/, '');
    else parts[current] = [...(parts[current] ?? []), block];
  }
  const waiting = parts['Waiting for you'] ?? [];
  const ids = (type: 'actions' | 'button') =>
    waiting.flatMap((b) => {
      if (b === null || typeof b !== 'object' || Array.isArray(b) || b.type !== 'actions') return [];
      return type === 'actions'
        ? [String(b.block_id).replace(/^decide:/, '')]
        : (Array.isArray(b.elements) ? b.elements : []).map((e) => shown(e));
    });
  return {
    waiting: ids('actions'),
    buttons: ids('button'),
    mine: shown(parts['Your requests']),
    decided: shown(parts['Your recent decisions']),
  };
}

const mark = () => s.slack.calls.at(-1)?.seq ?? 0;

/** The next Home published for `who` after `since` that satisfies `check`. */
async function homePublished(who: Who, since: number, check: (home: Home) => boolean = () => true) {
  const call = await s.slack.waitFor(
    'views.publish',
    (c) => c.seq > since && c.response.ok === true && c.args.user_id === PEOPLE[who].id && check(readHome(c)),
  );
  return readHome(call);
}

async function openHome(who: Who, check?: (home: Home) => boolean): Promise<Home> {
  const since = mark();
  const res = await postToSlackEvents(s.t, homeOpened(who));
  expect(res.status).toBe(200);
  return homePublished(who, since, check);
}

describe('App Home', () => {
  it("shows the viewer's queue: what they may decide (nearest expiry first), what they raised, what they decided", async () => {
    const erinBot = await s.t.agentKey('erin-bot', 'erin@example.com');
    const danBot = await s.t.agentKey('dan-bot', 'dan@example.com');
    const bob = await s.t.userKey('bob@example.com', ['actions:write']);
    const decidedEarlier = await submit(s.t, erinBot, { action: 'old.thing' });
    const later = await submit(s.t, erinBot, { action: 'later.thing' });
    const middle = await submit(s.t, erinBot, { action: 'terraform.apply' });
    const soon = await submit(s.t, erinBot, { action: 'soon.thing' });
    const own = await submit(s.t, bob, { action: 'kubectl.apply', environment: 'prod' });
    const notBobs = await submit(s.t, danBot, { action: 'db.export', resource: 'customers/eu' });

    const ref = await postedMessage(s.slack, decidedEarlier.id);
    await postToSlackEvents(s.t, buttonClick(s.slack, 'bob', 'countersign.approve', decidedEarlier.id, ref));
    await waitForUpdate(s.slack, ref, (content) => content.includes('Approved by'));

    const home = await openHome('bob');
    expect(home.waiting).toEqual([soon.id, middle.id, later.id]);
    expect(home.buttons).toEqual(
      [soon, middle, later].flatMap(() => [
        expect.stringContaining('countersign.approve'),
        expect.stringContaining('countersign.deny'),
        expect.stringContaining('countersign.ask'),
      ]),
    );
    // his own request is not his to decide, but he sees it under his requests
    expect(home.waiting).not.toContain(own.id);
    expect(home.mine).toContain('kubectl.apply');
    expect(home.mine).toContain('pending, 0 of 1');
    expect(home.decided).toContain('old.thing');
    expect(home.decided).toContain('Approved by');
    // data-owners' request is nowhere on bob's Home
    expect(home.waiting).not.toContain(notBobs.id);
    expect(`${home.mine}${home.decided}`).not.toContain('db.export');
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it("an agent owner's Home lists the agent's request under theirs, never as one to decide", async () => {
    const aliceBot = await s.t.agentKey('alice-bot', 'alice@example.com');
    const req = await submit(s.t, aliceBot, { action: 'terraform.apply' });
    const home = await openHome('alice');
    expect(home.waiting).not.toContain(req.id);
    expect(home.mine).toContain('agent:alice-bot');
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it('a member of the Slack user group @sre-oncall sees sre requests and approves one from Home, which is republished', async () => {
    const erinBot = await s.t.agentKey('erin-bot', 'erin@example.com');
    const first = await submit(s.t, erinBot, { action: 'soon.thing' });
    const second = await submit(s.t, erinBot, { action: 'later.thing' });
    await postedMessage(s.slack, second.id);

    const home = await openHome('olga');
    expect(home.waiting).toEqual([first.id, second.id]);

    const since = mark();
    const click = await postToSlackEvents(
      s.t,
      buttonClick(s.slack, 'olga', 'countersign.approve', first.id, 'home'),
    );
    expect(click.status).toBe(200);
    const after = await homePublished('olga', since, (h) => !h.waiting.includes(first.id));
    expect(after.waiting).toEqual([second.id]);
    expect(after.decided).toContain('soon.thing');

    const request = await fetchRequest(s.t, erinBot, first.id);
    expect(request.status).toBe('approved');
    expect(request.reviews).toMatchObject([{ reviewer: 'user:olga@example.com', via: 'slack' }]);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });
});
