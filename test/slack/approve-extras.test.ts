import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import type { JsonObject } from '../slack-emulator';
import {
  expectNoFailedSlackCalls,
  fetchRequest,
  heldRequest,
  outboxDrained,
  postedMessage,
  shown,
} from './slack-flows';
import { postToSlackEvents, useSlackTest } from './slack-harness';
import { buttonsIn, openModal, viewSubmission } from './slack-modals';

// Issue 16 in Slack: "Approve with changes…" (amend, then approve) and "Approve for 1h…" (a standing
// approval), each a modal opened from the request's message and decided by the review verb.
const POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com]
rules:
  - name: exports
    match: { action: "db.export" }
    effect: review
    approvers: [sre]
    standing: { max: 1h, uses: 3 }
  - name: exact-only
    match: { action: "db.drop" }
    effect: review
    approvers: [sre]
    amend: false
default: { effect: deny, reason: no }
`;

const s = useSlackTest({ policy: POLICY });
const SECRET = 'hunter2-correct-horse';

async function postedBlocks(id: string): Promise<unknown> {
  const ref = await postedMessage(s.slack, id);
  return s.slack.message(ref.channel, ref.ts)?.blocks;
}

describe('approving with changes, or for a while, in Slack', () => {
  it('Approve with changes: edits masked params, keeps the secret, binds the grant to the amended params', async () => {
    const { agent, req, ref } = await heldRequest(s, {
      submission: {
        action: 'db.export',
        resource: 'reports/eu/q3',
        params: { rows: 50_000, password: SECRET },
      },
    });
    expect(buttonsIn(await postedBlocks(req.id))).toEqual([
      'countersign.approve',
      'countersign.deny',
      'countersign.amend',
      'countersign.standing',
      'countersign.ask',
    ]);
    const modal = await openModal(s, 'bob', 'countersign.amend', req.id, ref);
    expect(modal).toMatchObject({ callback_id: 'countersign.amend_modal' });
    expect(JSON.stringify(modal)).not.toContain(SECRET);
    const initial = String(
      (((modal.blocks as JsonObject[]).find((b) => b.type === 'input')?.element ?? {}) as JsonObject)
        .initial_value,
    );
    const edited = { ...(JSON.parse(initial) as Record<string, unknown>), rows: 100 };

    // A typo is answered in the modal and decides nothing.
    const typo = await postToSlackEvents(
      s.t,
      viewSubmission('bob', modal, {
        params: { params_input: { type: 'plain_text_input', value: '{"rows": 1' } },
      }),
    );
    expect(await typo.json()).toMatchObject({
      response_action: 'errors',
      errors: { params: expect.any(String) },
    });
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');

    // The API's bounds hold in Slack too: a key longer than 200 characters is refused in the modal.
    const tooLong = await postToSlackEvents(
      s.t,
      viewSubmission('bob', modal, {
        params: {
          params_input: {
            type: 'plain_text_input',
            value: JSON.stringify({ ...edited, ['k'.repeat(201)]: 1 }),
          },
        },
      }),
    );
    expect(await tooLong.json()).toMatchObject({
      response_action: 'errors',
      errors: { params: expect.any(String) },
    });
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');

    const done = await postToSlackEvents(
      s.t,
      viewSubmission('bob', modal, {
        params: { params_input: { type: 'plain_text_input', value: JSON.stringify(edited) } },
      }),
    );
    expect(done.status).toBe(200);
    expect(await done.text()).toBe('');
    const after = await fetchRequest(s.t, agent, req.id);
    expect(after).toMatchObject({
      status: 'approved',
      params: { rows: 100, password: SECRET },
      amended: { by: 'user:bob@example.com', original: { params: { rows: 50_000, password: SECRET } } },
    });
    expect(after.digest).not.toBe(req.digest);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it('Approve for 1h: approves within the rule limits, and the next same request is approved at once', async () => {
    const { agent, req, ref } = await heldRequest(s, {
      submission: { action: 'db.export', resource: 'reports/eu/q4' },
    });
    const modal = await openModal(s, 'alice', 'countersign.standing', req.id, ref);
    expect(modal).toMatchObject({ callback_id: 'countersign.standing_modal' });
    const values = (forText: string, uses: string) => ({
      for: { for_input: { type: 'plain_text_input', value: forText } },
      uses: { uses_input: { type: 'number_input', value: uses } },
    });
    const tooLong = await postToSlackEvents(s.t, viewSubmission('alice', modal, values('2h', '3')));
    expect(await tooLong.json()).toMatchObject({
      response_action: 'errors',
      errors: { for: expect.any(String) },
    });
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');

    const done = await postToSlackEvents(s.t, viewSubmission('alice', modal, values('30m', '2')));
    expect(await done.text()).toBe('');
    expect(await fetchRequest(s.t, agent, req.id)).toMatchObject({
      status: 'approved',
      standing: { role: 'created', by: 'user:alice@example.com', usesLeft: 2 },
    });
    const again = await submit(s.t, agent, { action: 'db.export', resource: 'reports/eu/q4' });
    expect(again).toMatchObject({ status: 'approved', standing: { role: 'used' } });
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it('offers neither where the rule forbids them, and a forged click or submission is refused', async () => {
    const { agent, req, ref } = await heldRequest(s, {
      submission: { action: 'db.drop', params: { table: 'x' } },
    });
    expect(buttonsIn(await postedBlocks(req.id))).toEqual([
      'countersign.approve',
      'countersign.deny',
      'countersign.ask',
    ]);
    const notice = await openModal(s, 'bob', 'countersign.amend', req.id, ref);
    expect(shown(notice)).toContain("can't be amended");
    const forged = await postToSlackEvents(
      s.t,
      viewSubmission(
        'bob',
        {
          type: 'modal',
          callback_id: 'countersign.amend_modal',
          private_metadata: JSON.stringify({ id: req.id, digest: req.digest }),
          blocks: [],
        },
        { params: { params_input: { type: 'plain_text_input', value: '{"table": "y"}' } } },
      ),
    );
    expect(await forged.json()).toMatchObject({
      response_action: 'errors',
      errors: { params: expect.stringContaining('does not allow amendments') },
    });
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });
});
