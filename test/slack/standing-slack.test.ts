import { describe, expect, it } from 'vitest';
import { submit } from '../../server/test/harness';
import type { JsonObject } from '../slack-emulator';
import {
  auditOf,
  expectNoFailedSlackCalls,
  fetchRequest,
  heldRequest,
  outboxDrained,
  postedMessage,
  typesOf,
} from './slack-flows';
import { homeOpened, postToSlackEvents, useSlackTest } from './slack-harness';
import { buttonIn, click, homePublished, openModal, submitModal, typed } from './slack-modals';

// Issue 16, standing approvals from Slack: the modal's narrower resource pattern (the reviewer types
// it, so sees it in full), and Revoke beside each live standing approval on the App Home.
const POLICY = `
version: 1
groups:
  sre: [alice@example.com, bob@example.com]
rules:
  - name: exports
    match: { action: "db.export" }
    effect: review
    approvers: [sre]
    standing: { max: 1h, uses: 5 }
default: { effect: deny, reason: no }
`;

const s = useSlackTest({ policy: POLICY }, { per: 'file' });

const terms = (resource?: string) => ({
  for: { for_input: { type: 'plain_text_input', value: '30m' } },
  uses: { uses_input: { type: 'number_input', value: '3' } },
  ...(resource !== undefined && typed('resource', 'resource_input', resource)),
});

/**
 * alice approves a db.export for 30m and 3 uses from the standing modal, the resource field as shown
 * unless `pattern` is given; returns the standing id.
 */
async function standingFor(resource: string, pattern?: string) {
  const held = await heldRequest(s, { submission: { action: 'db.export', resource } });
  const modal = await openModal(s, 'alice', 'countersign.standing', held.req.id, held.ref);
  expect(await submitModal(s, 'alice', modal, terms(pattern ?? resource))).toMatchObject({ closed: true });
  const after = await fetchRequest(s.t, held.agent, held.req.id);
  const id = after.standing?.id;
  if (!id) throw new Error('no standing approval was created');
  return { ...held, standingId: id, after };
}

describe('standing approvals from Slack', () => {
  it('the modal offers the exact resource, refuses a pattern that does not cover it beside the field, and takes a narrower one', async () => {
    const { agent, req, ref } = await heldRequest(s, {
      submission: { action: 'db.export', resource: 'reports/eu/q3' },
    });
    const modal = await openModal(s, 'alice', 'countersign.standing', req.id, ref);
    const input = (modal.blocks as JsonObject[]).find((b) => b.block_id === 'resource');
    expect(input).toMatchObject({ optional: true, element: { initial_value: 'reports/eu/q3' } });

    const elsewhere = await submitModal(s, 'alice', modal, terms('reports/us/*'));
    expect(elsewhere.errors.resource).toMatch(/Not approved: standing.resource must cover this request/);
    // Someone outside the approver groups is refused by the core, whatever they type.
    const stranger = await submitModal(s, 'carol', modal, terms('reports/eu/*'));
    expect(stranger.errors.for).toMatch(/Not approved: Only members of the approver groups/);
    expect((await fetchRequest(s.t, agent, req.id)).status).toBe('pending');

    expect(await submitModal(s, 'alice', modal, terms('reports/eu/*'))).toMatchObject({ closed: true });
    expect(await fetchRequest(s.t, agent, req.id)).toMatchObject({
      status: 'approved',
      standing: { role: 'created', resource: 'reports/eu/*', by: 'user:alice@example.com' },
    });
    const created = (await auditOf(s.t, req.id)).find((e) => e.type === 'standing.created');
    expect(JSON.stringify(created?.data)).toContain('reports/eu/*');
    // A later export anywhere under reports/eu/ is approved at once; one outside it is held.
    expect(await submit(s.t, agent, { action: 'db.export', resource: 'reports/eu/q4' })).toMatchObject({
      status: 'approved',
      standing: { role: 'used' },
    });
    const outside = await submit(s.t, agent, { action: 'db.export', resource: 'reports/us/q4' });
    expect(outside.status).toBe('pending');
    await postedMessage(s.slack, outside.id);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });

  it('the exact resource stays the default: left as shown, only that resource is covered', async () => {
    const { after, agent } = await standingFor('exports/daily');
    expect(after.standing).toMatchObject({ role: 'created', resource: 'exports/daily' });
    const next = await submit(s.t, agent, { action: 'db.export', resource: 'exports/weekly' });
    expect(next.status).toBe('pending');
    await postedMessage(s.slack, next.id);
  });

  it("Revoke on the Home: confirmed first, refused for the requester's side, revoked by an approver, Homes refreshed", async () => {
    const { agent, req, standingId } = await standingFor('ledger/2026');
    let since = s.slack.calls.length;
    expect((await postToSlackEvents(s.t, homeOpened('bob'))).status).toBe(200);
    const home = await homePublished(s.slack, 'bob', (_, text) => text.includes(standingId), since);
    const revoke = buttonIn((home.args.view as JsonObject).blocks, 'countersign.revoke_standing', standingId);
    expect(revoke).toMatchObject({ style: 'danger', confirm: { confirm: { text: 'Revoke' } } });

    // erin owns the agent it serves: she sees it on her Home, but only an approver may revoke it.
    since = s.slack.calls.length;
    await click(s, 'erin', 'countersign.revoke_standing', standingId, 'home');
    await homePublished(s.slack, 'erin', (_, text) => text.includes('Not revoked:'), since);
    expect(typesOf(await auditOf(s.t, req.id))).not.toContain('standing.revoked');

    since = s.slack.calls.length;
    await click(s, 'bob', 'countersign.revoke_standing', standingId, 'home');
    await homePublished(s.slack, 'bob', (_, text) => !text.includes(standingId), since);
    // alice gave it; her Home drops it too, without her opening it.
    await homePublished(s.slack, 'alice', (_, text) => !text.includes(standingId), since);
    const revoked = (await auditOf(s.t, req.id)).find((e) => e.type === 'standing.revoked');
    expect(revoked).toMatchObject({ actor: 'user:bob@example.com', data: { standing: standingId } });
    // No later request is approved by it.
    const next = await submit(s.t, agent, { action: 'db.export', resource: 'ledger/2026' });
    expect(next.status).toBe('pending');
    await postedMessage(s.slack, next.id);

    // A second click on a stale Home is refused in the core's words.
    since = s.slack.calls.length;
    await click(s, 'alice', 'countersign.revoke_standing', standingId, 'home');
    await homePublished(s.slack, 'alice', (_, text) => text.includes('already revoked'), since);
    await outboxDrained(s.t);
    expectNoFailedSlackCalls(s.slack);
  });
});
