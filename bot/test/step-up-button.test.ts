import { describe, expect, it } from 'vitest';
import { APPROVE_ACTION, requestMessage, STEP_UP_ACTION } from '../src/blocks/request-message';
import { aRequest } from './fixtures';

const CONSOLE = 'https://countersign.example.com';
const buttons = (message: ReturnType<typeof requestMessage>) =>
  JSON.parse(JSON.stringify(message.blocks.find((b) => b.type === 'actions'))).elements as Record<
    string,
    unknown
  >[];

describe('requestMessage: Approve on a step-up request', () => {
  it("opens the console's step-up page instead of deciding", () => {
    const request = { ...aRequest(), stepUp: 'mfa' as const };
    const [approve] = buttons(requestMessage(request, {}, CONSOLE));
    expect(approve).toMatchObject({
      action_id: STEP_UP_ACTION,
      text: { text: 'Approve (MFA)' },
      url: `${CONSOLE}/requests/${request.id}/step-up`,
    });
    expect(JSON.stringify(buttons(requestMessage(request, {}, CONSOLE)))).not.toContain(APPROVE_ACTION);
  });

  it('keeps the deciding Approve button for a request without step-up', () => {
    const [approve] = buttons(requestMessage(aRequest(), {}, CONSOLE));
    expect(approve).toMatchObject({ action_id: APPROVE_ACTION });
    expect(approve).not.toHaveProperty('url');
  });
});
