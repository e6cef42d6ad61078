import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ASK_ACTION } from '../src/blocks/ask';
import { APPROVE_ACTION, DENY_ACTION, requestMessage } from '../src/blocks/request-message';
import { aHugeRequest, aRequest, MARKUP, messageIssues, SECRETS, secretParams, shownText } from './fixtures';

const MENTIONS = { 'erin@example.com': 'U0ERIN', 'bob@example.com': 'U0BOB', 'carol@example.com': 'U0CAROL' };

const actionsBlocks = (blocks: KnownBlock[]) => blocks.filter((b) => b.type === 'actions');

describe('requestMessage', () => {
  it('shows a pending request with what, where, who, the rule and Approve/Deny buttons bound to its id and the version shown', () => {
    const request = aRequest();
    const message = requestMessage(request, MENTIONS);
    expect(messageIssues(message)).toEqual([]);
    const shown = shownText(message);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Approval needed: terraform.apply' },
    });
    for (const part of ['terraform.apply', 'stack/payments', 'prod', 'agent:deploy-bot', '<@U0ERIN>'])
      expect(shown).toContain(part);
    expect(shown).toContain('Roll out the new payment queue.');
    expect(shown).toContain('0 of 1');
    expect(shown).toContain(request.id);
    expect(message.text).toContain('terraform.apply');
    const [buttons, ...others] = actionsBlocks(message.blocks);
    expect(others).toEqual([]);
    expect(buttons).toMatchObject({
      block_id: `decide:${request.id}`,
      elements: [
        // The version the message shows: a click after an amendment is refused (request_changed).
        { action_id: APPROVE_ACTION, value: `${request.id} ${request.digest}`, text: { text: 'Approve' } },
        { action_id: DENY_ACTION, value: `${request.id} ${request.digest}`, text: { text: 'Deny' } },
        { action_id: ASK_ACTION, value: request.id, text: { text: 'Ask…' } },
      ],
    });
  });

  it('drops the buttons once decided and names the approvers', () => {
    const message = requestMessage(
      aRequest({
        status: 'approved',
        approvals: { required: 2, received: 2 },
        reviews: [
          {
            reviewer: 'user:carol@example.com',
            decision: 'approve',
            via: 'slack',
            at: '2030-01-01T00:01:00Z',
          },
          { reviewer: 'user:dan@example.com', decision: 'approve', via: 'api', at: '2030-01-01T00:02:00Z' },
        ],
      }),
      MENTIONS,
    );
    expect(messageIssues(message)).toEqual([]);
    expect(actionsBlocks(message.blocks)).toEqual([]);
    // dan is not in Slack: shown by email rather than as a broken mention
    expect(shownText(message)).toContain('Approved by <@U0CAROL>, dan@example.com');
  });

  it('shows the denier and the reason on a denied request', () => {
    const message = requestMessage(
      aRequest({
        status: 'denied',
        reviews: [
          {
            reviewer: 'user:bob@example.com',
            decision: 'deny',
            comment: 'not during the freeze',
            via: 'slack',
            at: '2030-01-01T00:01:00Z',
          },
        ],
      }),
      MENTIONS,
    );
    expect(actionsBlocks(message.blocks)).toEqual([]);
    expect(shownText(message)).toContain('Denied by <@U0BOB>: not during the freeze');
  });

  it('says an expired request expired, without buttons', () => {
    const message = requestMessage(aRequest({ status: 'expired' }), MENTIONS);
    expect(actionsBlocks(message.blocks)).toEqual([]);
    expect(shownText(message)).toContain('Expired without a decision');
  });

  it('stays within every Block Kit limit for a request whose every field is at its maximum', () => {
    const request = aHugeRequest();
    const message = requestMessage(request, MENTIONS);
    expect(messageIssues(message)).toEqual([]);
    expect(message.text.length).toBeLessThanOrEqual(3000);
    // truncated, not dropped: the reader still sees where each long field starts
    const shown = shownText(message);
    expect(shown).toContain('x'.repeat(100));
    expect(shown).toContain(`customers/${'r'.repeat(100)}`);
    expect(shown).toContain('j'.repeat(1000));
    expect(shown).toContain('key_0000');
    expect(shown).not.toContain('key_4999');
    expect(actionsBlocks(message.blocks)).toHaveLength(1);
  });

  it('stays within the section limit when the justification is full of characters mrkdwn must escape', () => {
    // `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`: a 4000-character justification truncated to
    // 2800 *before* escaping can grow past the 3000 characters a section holds.
    const message = requestMessage(aRequest({ justification: MARKUP }), MENTIONS);
    expect(messageIssues(message)).toEqual([]);
  });

  it('masks secrets in params, by key name and by the look of the value', () => {
    const message = requestMessage(aRequest({ params: { ...secretParams(), region: 'eu-west-1' } }));
    const shown = shownText(message);
    expect(shown).toContain('eu-west-1');
    expect(shown).toContain('••••••');
    for (const secret of Object.values(SECRETS)) expect(shown).not.toContain(secret);
  });

  it('masks secrets in params of a huge request too', () => {
    const shown = shownText(requestMessage(aHugeRequest(), MENTIONS));
    for (const secret of Object.values(SECRETS)) expect(shown).not.toContain(secret);
  });

  it('masks an AWS access key id inside a longer value (a command line)', () => {
    const message = requestMessage(
      aRequest({ params: { command: `aws configure set aws_access_key_id ${SECRETS.awsKeyId}` } }),
    );
    expect(shownText(message)).not.toContain(SECRETS.awsKeyId);
  });

  const injected = () =>
    requestMessage(
      aRequest({
        resource: 'db/<!channel>',
        justification: 'see <https://evil.example|the runbook> <@U0BOB>',
      }),
    );

  it('keeps mrkdwn in request fields inert in the blocks: no @channel, no disguised links', () => {
    const shown = shownText(injected().blocks);
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<https://evil.example|');
    expect(shown).not.toContain('<@U0BOB>');
  });

  it('keeps mrkdwn in request fields inert in the fallback text, which Slack notifies with', () => {
    expect(injected().text).not.toContain('<!channel>');
  });
});
