import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../test/slack-emulator/block-kit-validator';
import { outcomeNotice, threadReply } from '../src/blocks/thread-reply';
import { aHugeRequest, aRequest, asJson, MARKUP, SECRETS, shownText } from './fixtures';

const MENTIONS = {
  'alice@example.com': 'U0ALICE',
  'carol@example.com': 'U0CAROL',
  'erin@example.com': 'U0ERIN',
};
const request = aRequest();

describe('threadReply', () => {
  it('threads an approval with the approver mentioned and their comment quoted', () => {
    const reply = threadReply(
      'review.recorded',
      { actor: 'user:carol@example.com', decision: 'approve', comment: 'ok for today' },
      request,
      MENTIONS,
    );
    expect(reply).toBe(':white_check_mark: <@U0CAROL> approved: “ok for today”');
  });

  it('threads a deny with its reason', () => {
    const reply = threadReply(
      'review.recorded',
      { actor: 'user:carol@example.com', decision: 'deny', comment: 'wrong account' },
      request,
      MENTIONS,
    );
    expect(reply).toBe(':x: <@U0CAROL> denied: “wrong account”');
  });

  it.each([
    ['self_approval', "<@U0ALICE> can't review this request: it is their own"],
    ['not_an_approver', "<@U0ALICE> can't review this request: they are not in its approver groups"],
    ['already_reviewed', '<@U0ALICE> has already reviewed this request'],
    ['not_pending', '<@U0ALICE> tried to review, but the request was already decided'],
  ])('names a refused reviewer and the cause (%s)', (code, expected) => {
    const reply = threadReply('review.refused', { actor: 'user:alice@example.com', code }, request, MENTIONS);
    expect(reply).toContain(expected);
  });

  it('escapes an unknown refusal code rather than rendering it as markup', () => {
    const reply = threadReply(
      'review.refused',
      { actor: 'user:alice@example.com', code: '<!here>' },
      request,
      MENTIONS,
    );
    expect(reply).not.toContain('<!here>');
  });

  it('threads the outcome of a final event and nothing for events it does not announce', () => {
    const approved = aRequest({
      status: 'approved',
      reviews: [
        { reviewer: 'user:carol@example.com', decision: 'approve', via: 'slack', at: '2030-01-01T00:00:00Z' },
      ],
    });
    expect(threadReply('action.approved', {}, approved, MENTIONS)).toBe(
      ':white_check_mark: Approved by <@U0CAROL>',
    );
    expect(threadReply('grant.issued', {}, approved, MENTIONS)).toBeUndefined();
  });

  it('keeps a reply to a huge, markup-laden comment within a message’s limits', () => {
    const reply = threadReply(
      'review.recorded',
      { actor: 'user:carol@example.com', decision: 'deny', comment: MARKUP },
      aHugeRequest(),
      MENTIONS,
    );
    expect(reply).toBeDefined();
    expect(validateMessage(asJson({ text: reply }))).toEqual([]);
    // the mention is the only markup: the comment's own `<` and `>` are escaped
    expect(reply?.replace('<@U0CAROL>', '')).not.toMatch(/[<>]/);
  });
});

describe('outcomeNotice', () => {
  it('tells the requester what happened to their request, by id', () => {
    const denied = aRequest({
      status: 'denied',
      reviews: [
        {
          reviewer: 'user:carol@example.com',
          decision: 'deny',
          comment: 'no',
          via: 'slack',
          at: '2030-01-01T00:00:00Z',
        },
      ],
    });
    const notice = outcomeNotice(denied, MENTIONS);
    expect(notice).toContain(denied.id);
    expect(notice).toContain('Denied by <@U0CAROL>: no');
  });

  it('stays within 3000 characters for a huge request and shows no secrets', () => {
    const notice = outcomeNotice(aHugeRequest({ status: 'expired' }), MENTIONS);
    expect(notice.length).toBeLessThanOrEqual(3000);
    expect(validateMessage(asJson({ text: notice }))).toEqual([]);
    for (const secret of Object.values(SECRETS)) expect(shownText(notice)).not.toContain(secret);
  });
});
