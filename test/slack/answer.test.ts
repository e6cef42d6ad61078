import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../slack-emulator';
import {
  expectNoFailedSlackCalls,
  fetchRequest,
  heldRequest,
  outboxDrained,
  waitForReply,
} from './slack-flows';
import { buttonClick, PEOPLE, postToSlackEvents, type Signed, useSlackTest, type Who } from './slack-harness';

// Issue 16, ask before deciding: the question threaded under the request carries an Answer button;
// the requester's side answers in a modal, through the same answer verb as the API.
const s = useSlackTest();

function answerSubmission(who: Who, view: JsonObject, answer: string): Signed {
  const user = PEOPLE[who];
  const payload = {
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: user.id, username: who, name: who, team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    view: {
      ...view,
      id: 'V0MODAL',
      state: { values: { answer: { answer_input: { type: 'plain_text_input', value: answer } } } },
      hash: 'h',
      team_id: 'T0TEST',
      app_id: 'A0TEST',
    },
  };
  return {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
  };
}

/** A held request an approver (alice) has asked about, once the question's thread reply is posted. */
async function askedRequest(question: string) {
  const held = await heldRequest(s);
  const alice = await s.t.userKey('alice@example.com', ['reviews:write']);
  const asked = await s.t.call('POST', `/v1/actions/${held.req.id}/reviews`, {
    key: alice,
    body: { decision: 'ask', comment: question },
  });
  expect(asked.status).toBe(200);
  const quoted = question.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const reply = await waitForReply(s.slack, held.ref, new RegExp(`:question: .*${quoted}`));
  return { ...held, reply };
}

describe('answering a question in Slack', () => {
  it("the question's thread reply has an Answer button; the owner's answer is recorded and threaded", async () => {
    const { agent, req, ref, reply } = await askedRequest('Which workspace, exactly?');
    expect(JSON.stringify(reply.args.blocks)).toContain('countersign.answer');

    const click = buttonClick(s.slack, 'erin', 'countersign.answer', req.id, ref);
    const trigger = JSON.parse(new URLSearchParams(click.body).get('payload') ?? '{}').trigger_id;
    expect((await postToSlackEvents(s.t, click)).status).toBe(200);
    const opened = await s.slack.waitFor('views.open', (c) => c.args.trigger_id === trigger);
    const modal = opened.args.view as JsonObject;
    expect(modal).toMatchObject({ callback_id: 'countersign.answer_modal' });
    expect(JSON.stringify(modal)).toContain('Which workspace, exactly?');

    // An approver is not the requester's side: the core refuses, and the modal says so.
    const stranger = await postToSlackEvents(s.t, answerSubmission('bob', modal, 'payments, trust me'));
    expect(await stranger.json()).toMatchObject({
      response_action: 'errors',
      errors: { answer: expect.stringContaining('Not answered') },
    });

    const done = await postToSlackEvents(
      s.t,
      answerSubmission('erin', modal, 'The payments workspace only.'),
    );
    expect(done.status).toBe(200);
    expect(await done.text()).toBe('');
    const after = await fetchRequest(s.t, agent, req.id);
    expect(after.status).toBe('pending');
    expect(after.comments).toMatchObject([
      { role: 'reviewer', author: 'user:alice@example.com', comment: 'Which workspace, exactly?' },
      { role: 'requester', author: 'user:erin@example.com', comment: 'The payments workspace only.' },
    ]);
    await waitForReply(s.slack, ref, /:speech_balloon: .*answered: “The payments workspace only.”/);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  // Slack's modal caps its input, but a submission is only a signed form: the answer verb gets the
  // same schema check as POST /v1/actions/{id}/comments (at most 4,000 characters, well-formed text).
  it('an answer the API would refuse is refused in the modal and not recorded', async () => {
    const { agent, req } = await askedRequest('Which workspace?');
    const modal = {
      callback_id: 'countersign.answer_modal',
      private_metadata: JSON.stringify({ id: req.id }),
    };

    for (const [answer, why] of [
      ['x'.repeat(4001), 'comment: Too big'],
      ['payments \ud800 only', 'comment: contains an unpaired UTF-16 surrogate'],
    ] as const) {
      const refused = await postToSlackEvents(s.t, answerSubmission('erin', modal, answer));
      expect(await refused.json()).toMatchObject({
        response_action: 'errors',
        errors: { answer: expect.stringContaining(`Not answered: ${why}`) },
      });
    }
    const after = await fetchRequest(s.t, agent, req.id);
    expect(after.comments).toMatchObject([{ role: 'reviewer', comment: 'Which workspace?' }]);
    expect(after.comments).toHaveLength(1);
  });
});
