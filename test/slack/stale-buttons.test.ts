import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from '../slack-emulator';
import { fetchRequest, heldRequest, waitForEphemeral, waitForUpdate } from './slack-flows';
import {
  type ButtonAction,
  buttonPayload,
  denySubmission,
  postToSlackEvents,
  type Signed,
  useSlackTest,
} from './slack-harness';

// A Slack message is a snapshot of the request: its Approve and Deny count only for the version it
// showed. Rule customer-export: data-owners (carol, dan, alice), two approvals.
const s = useSlackTest();

/** The `value` of a button in a message's blocks, as Slack sends it back on a click. */
function buttonValue(blocks: Json | undefined, actionId: ButtonAction): string {
  const elements = (Array.isArray(blocks) ? blocks : []).flatMap((b) =>
    b !== null && typeof b === 'object' && !Array.isArray(b) && Array.isArray(b.elements) ? b.elements : [],
  );
  const button = elements.find(
    (e): e is JsonObject =>
      e !== null && typeof e === 'object' && !Array.isArray(e) && e.action_id === actionId,
  );
  if (typeof button?.value !== 'string') throw new Error(`no ${actionId} button`);
  return button.value;
}

/** A click on a button whose `value` is exactly what that message carried. */
function clickWithValue(
  who: 'carol' | 'dan',
  actionId: ButtonAction,
  id: string,
  ref: { channel: string; ts: string },
  value: string,
): Signed {
  const payload = buttonPayload(s.slack, who, actionId, id, ref);
  const [action] = Array.isArray(payload.actions) ? payload.actions : [];
  const actions = [{ ...(action as JsonObject), value }];
  return {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ payload: JSON.stringify({ ...payload, actions }) }).toString(),
  };
}

describe('Slack: Approve and Deny count only for the version the message showed', () => {
  it('after an amending approval, the old message’s Approve and Deny are refused to the clicker; the updated one counts', async () => {
    const { agent, req, ref } = await heldRequest(s, {
      submission: { action: 'db.export', resource: 'customers/console', params: { rows: 100 } },
    });
    const blocks = s.slack.message(ref.channel, ref.ts)?.blocks;
    const staleApprove = buttonValue(blocks, 'countersign.approve');
    const staleDeny = buttonValue(blocks, 'countersign.deny');
    expect(staleApprove).toContain(req.digest);
    expect(staleDeny).toContain(req.digest);

    const dan = await s.t.userKey('dan@example.com', ['reviews:write']);
    const amended = await s.t.call<ActionRequest>('POST', `/v1/actions/${req.id}/reviews`, {
      key: dan,
      body: { decision: 'approve', amend: { params: { rows: 999_999, include: 'ssn' } } },
    });
    expect(amended.status).toBe(200);
    const current = amended.body.digest;
    // The message is still rewritten when the request changes, its buttons now bound to the new version.
    const update = await waitForUpdate(s.slack, ref, (content) => content.includes(current));
    const freshApprove = buttonValue(update.args.blocks, 'countersign.approve');

    const click = await postToSlackEvents(
      s.t,
      clickWithValue('carol', 'countersign.approve', req.id, ref, staleApprove),
    );
    expect(click.status).toBe(200);
    await waitForEphemeral(s.slack, 'carol', /amended .* by user:dan@example\.com/);
    expect(await fetchRequest(s.t, agent, req.id)).toMatchObject({
      status: 'pending',
      approvals: { received: 1, required: 2 },
    });

    // Deny from the old message: the modal opens, and its submission is refused in the modal.
    const deny = clickWithValue('carol', 'countersign.deny', req.id, ref, staleDeny);
    expect((await postToSlackEvents(s.t, deny)).status).toBe(200);
    const opened = await s.slack.waitFor('views.open', (c) => c.response.ok === true);
    const metadata = String((opened.args.view as JsonObject).private_metadata);
    const submitted = await postToSlackEvents(s.t, denySubmission('carol', req.id, 'no', metadata));
    expect(submitted.status).toBe(200);
    const refusal = (await submitted.json()) as { response_action: string; errors: Record<string, string> };
    expect(refusal.response_action).toBe('errors');
    expect(refusal.errors.reason).toMatch(/^Not denied: This request was amended/);
    expect(await fetchRequest(s.t, agent, req.id)).toMatchObject({
      status: 'pending',
      approvals: { received: 1 },
    });

    const fresh = await postToSlackEvents(
      s.t,
      clickWithValue('carol', 'countersign.approve', req.id, ref, freshApprove),
    );
    expect(fresh.status).toBe(200);
    await expect
      .poll(async () => (await fetchRequest(s.t, agent, req.id)).status, { timeout: 5000 })
      .toBe('approved');
  });
});
