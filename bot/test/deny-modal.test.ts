import { describe, expect, it } from 'vitest';
import { DENY_MODAL, denyModal, REASON_BLOCK, REASON_INPUT } from '../src/blocks/deny-modal';
import { aHugeRequest, aRequest, MARKUP, SECRETS, shownText, viewIssues } from './fixtures';

describe('denyModal', () => {
  it('asks for a required reason and carries the request id and the message it came from', () => {
    const request = aRequest();
    const view = denyModal(request, { channel: 'C0OPS', ts: '1700000000.000100' });
    expect(viewIssues(view)).toEqual([]);
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: DENY_MODAL,
      submit: { type: 'plain_text', text: 'Deny' },
    });
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({
      id: request.id,
      origin: { channel: 'C0OPS', ts: '1700000000.000100' },
    });
    const input = view.blocks.find((b) => b.type === 'input');
    expect(input).toMatchObject({
      block_id: REASON_BLOCK,
      element: { type: 'plain_text_input', action_id: REASON_INPUT, min_length: 1 },
    });
    expect(shownText(view)).toContain('terraform.apply');
  });

  it('stays within the modal limits for a request at every maximum, with markup and secrets', () => {
    const view = denyModal(aHugeRequest({ resource: MARKUP.slice(0, 1024) }), {
      channel: 'C0OPS',
      ts: '1700000000.000100',
    });
    expect(viewIssues(view)).toEqual([]);
    for (const secret of Object.values(SECRETS)) expect(shownText(view)).not.toContain(secret);
  });
});
