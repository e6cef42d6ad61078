import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { standingModal } from '../src/blocks/approve-modals';
import { ASK_ACTION, askModal } from '../src/blocks/ask';
import { BREAK_GLASS_ACTION, breakGlassModal } from '../src/blocks/break-glass';
import { breakGlassReply, FLAG_ACTION, flagModal, SIGN_OFF_ACTION } from '../src/blocks/follow-up';
import { homeView, REVOKE_STANDING_ACTION } from '../src/blocks/home';
import { requestMessage } from '../src/blocks/request-message';
import { aHugeRequest, aRequest, MARKUP, messageIssues, shownText, viewIssues } from './fixtures';

// Issue 16's Slack surfaces at Slack's limits: every field of the request at its longest.
const glass = (over: Partial<NonNullable<ActionRequest['breakGlass']>> = {}) => ({
  notify: ['#security', '#incidents'],
  reviewWithinMs: 86_400_000,
  ...over,
});
const ids = (blocks: unknown): string[] => JSON.stringify(blocks).match(/countersign\.[a-z_]+/g) ?? [];

describe('break-glass, follow-up, ask and standing builders', () => {
  it('offers Break glass… on a pending request only while its rule allows it and it is unused', () => {
    const offered = requestMessage(aHugeRequest({ breakGlass: glass() }));
    expect(messageIssues(offered)).toEqual([]);
    expect(ids(offered.blocks)).toContain(BREAK_GLASS_ACTION);
    expect(ids(requestMessage(aRequest()).blocks)).not.toContain(BREAK_GLASS_ACTION);
    const used = aRequest({ status: 'approved', breakGlass: glass({ by: 'user:erin@example.com' }) });
    expect(ids(requestMessage(used).blocks)).not.toContain(BREAK_GLASS_ACTION);
    expect(ids(requestMessage(aRequest()).blocks)).toContain(ASK_ACTION);
  });

  it('builds every modal within Slack limits for the longest request, masking nothing into them', () => {
    const huge = aHugeRequest({ breakGlass: glass({ notify: Array.from({ length: 50 }, () => MARKUP) }) });
    for (const view of [breakGlassModal(huge), flagModal(huge), askModal(huge)]) {
      expect(viewIssues(view)).toEqual([]);
      expect(JSON.parse(view.private_metadata ?? '')).toEqual({ id: huge.id });
    }
    expect(breakGlassModal(aRequest({ breakGlass: glass() })).blocks).toContainEqual(
      expect.objectContaining({ element: expect.objectContaining({ min_length: 20 }) }),
    );
    const standing = standingModal(huge, { maxMs: 3_600_000, uses: 5 });
    expect(viewIssues(standing)).toEqual([]);
    expect(shownText(standing)).toContain('On which resources');
    // Without a resource there is nothing a pattern could cover: no field.
    expect(
      shownText(standingModal(aRequest({ resource: undefined }), { maxMs: 60_000, uses: 1 })),
    ).not.toContain('On which resources');
  });

  it('threads a break-glass with Sign off (confirmed) and Flag… while its follow-up is open', () => {
    const open = aRequest({
      status: 'approved',
      breakGlass: glass({
        by: 'user:erin@example.com',
        followUp: { status: 'open', dueAt: '2030-01-02T00:00:00Z' },
      }),
    });
    const reply = breakGlassReply(MARKUP, open, {});
    expect(messageIssues(reply)).toEqual([]);
    expect(ids(reply.blocks)).toEqual([SIGN_OFF_ACTION, FLAG_ACTION]);
    expect(JSON.stringify(reply.blocks)).toContain('"confirm"');
    const closed = {
      ...open,
      breakGlass: glass({ followUp: { status: 'signed_off' as const, dueAt: '2030-01-02T00:00:00Z' } }),
    };
    expect(ids(breakGlassReply('x', closed, {}).blocks)).toEqual([]);
  });

  it('says who closed the follow-up, how, when and why in place of the buttons, within Slack limits', () => {
    const flagged = aHugeRequest({
      status: 'approved',
      breakGlass: glass({
        by: 'user:erin@example.com',
        followUp: {
          status: 'flagged',
          dueAt: '2030-01-02T00:00:00Z',
          by: 'user:bob@example.com',
          at: '2030-01-01T12:00:00Z',
          comment: `${MARKUP}${'x'.repeat(4000)}`,
        },
      }),
    });
    const reply = breakGlassReply(MARKUP.repeat(100), flagged, { 'bob@example.com': 'U0BOB' });
    expect(messageIssues(reply)).toEqual([]);
    expect(ids(reply.blocks)).toEqual([]);
    const shown = JSON.stringify(reply.blocks);
    expect(shown).toContain('*flagged* by <@U0BOB> · <!date^1893499200^');
    // The comment is the flagger's own text: inert, never markup.
    expect(shown).toContain('“a &lt; b &amp;&amp; c &gt; d');
  });

  it("puts Break glass… beside the viewer's own pending request and Revoke beside each standing approval", () => {
    const mine = aRequest({ breakGlass: glass() });
    const view = homeView(
      {
        reviewable: [],
        mine: [mine],
        decided: [],
        standing: [
          {
            id: 'sta_01',
            action: MARKUP,
            resource: MARKUP,
            requester: 'agent:report-bot',
            rule: 'exports',
            by: 'user:alice@example.com',
            createdAt: '2030-01-01T00:00:00.000Z',
            until: '2030-01-01T01:00:00.000Z',
            usesLeft: 2,
            fromRequest: 'act_01',
          },
        ],
      },
      {},
    );
    expect(viewIssues(view)).toEqual([]);
    expect(ids(view.blocks)).toEqual(expect.arrayContaining([BREAK_GLASS_ACTION, REVOKE_STANDING_ACTION]));
  });
});
