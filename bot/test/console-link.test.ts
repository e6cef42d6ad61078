import { describe, expect, it } from 'vitest';
import { OPEN_ACTION, requestMessage } from '../src/blocks/request-message';
import { aRequest } from './fixtures';

describe('requestMessage: the web console link', () => {
  it('adds "Open in Countersign" to the request page when the console has a public URL', () => {
    const request = aRequest();
    const message = requestMessage(request, {}, 'https://countersign.example.com');
    const actions = message.blocks.find((b) => b.type === 'actions');
    expect(JSON.stringify(actions)).toContain(
      JSON.stringify({
        type: 'button',
        action_id: OPEN_ACTION,
        text: { type: 'plain_text', text: 'Open in Countersign' },
        url: `https://countersign.example.com/requests/${request.id}`,
      }),
    );
  });

  it('has no link without one', () => {
    expect(JSON.stringify(requestMessage(aRequest(), {}).blocks)).not.toContain(OPEN_ACTION);
  });
});
