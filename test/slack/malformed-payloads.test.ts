import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import { auditOf, fetchRequest, postedMessage } from './slack-flows';
import {
  buttonPayload,
  denySubmission,
  postToSlackEvents,
  type SlackTest,
  startSlackTest,
} from './slack-harness';

let s: SlackTest;
beforeAll(async () => {
  s = await startSlackTest();
});
afterAll(async () => {
  await s.stop();
});

const FORM = 'application/x-www-form-urlencoded';
const asForm = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

describe('correctly signed but malformed Slack payloads', () => {
  it('answer 400 and decide nothing', async () => {
    const agent = await s.t.agentKey('ops-bot', 'erin@example.com');
    const req = await submit(s.t, agent, { action: 'terraform.apply', environment: 'prod' });
    const ref = await postedMessage(s.slack, req.id);
    const { user: _user, ...withoutUser } = buttonPayload(s.slack, 'bob', 'countersign.approve', req.id, ref);
    const submission = JSON.parse(
      new URLSearchParams(denySubmission('bob', req.id, 'no').body).get('payload') ?? '{}',
    ) as Record<string, unknown>;
    const { view: _view, ...withoutView } = submission;
    const cases: Array<[string, string, string]> = [
      ['payload=null', FORM, 'payload=null'],
      ['payload=[]', FORM, 'payload=%5B%5D'],
      ['payload that is not JSON', FORM, 'payload=%7B'],
      ['a JSON null body', 'application/json', 'null'],
      ['a JSON string body', 'application/json', '"hello"'],
      ['an event_callback without event', 'application/json', '{"type":"event_callback"}'],
      [
        'an event_callback with authorizations: [null]',
        'application/json',
        '{"type":"event_callback","event":{"type":"app_home_opened","user":"U0BOB"},"authorizations":[null]}',
      ],
      ['block_actions without user', FORM, asForm(withoutUser)],
      ['block_actions with user: null', FORM, asForm({ ...withoutUser, user: null })],
      ['block_actions without actions', FORM, asForm({ ...withoutUser, user: { id: 'U0BOB' }, actions: 7 })],
      ['view_submission without view', FORM, asForm(withoutView)],
      [
        'view_submission with view.state: null',
        FORM,
        asForm({ ...submission, view: { callback_id: 'countersign.deny_modal', state: null } }),
      ],
      ['a form with neither payload nor command', FORM, 'foo=bar'],
    ];
    for (const [what, contentType, body] of cases) {
      const res = await postToSlackEvents(s.t, { contentType, body });
      expect(res.status, what).toBe(400);
    }
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
    expect((await auditOf(s.t, req.id)).map((e) => e.type)).not.toContain('review.recorded');
    // The server is healthy after, and a well-formed click still works.
    expect((await fetch(`${s.t.url}/readyz`)).status).toBe(200);
    const click = buttonPayload(s.slack, 'bob', 'countersign.approve', req.id, ref);
    expect((await postToSlackEvents(s.t, { contentType: FORM, body: asForm(click) })).status).toBe(200);
    await expect.poll(async () => (await fetchRequest(s.t, agent, req.id)).status).toBe('approved');
  });
});
