import type { ActionRequest } from '@countersign/shared';
import type { HomeView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../test/slack-emulator/index';
import { ASK_ACTION } from '../src/blocks/ask';
import { homeView } from '../src/blocks/home';
import { APPROVE_ACTION, DENY_ACTION } from '../src/blocks/request-message';
import { aHugeRequest, aRequest, asJson, SECRETS, shownText, viewIssues } from './fixtures';

const at = (minutes: number) => new Date(Date.parse('2030-01-01T00:00:00Z') + minutes * 60_000).toISOString();
const blocksOf = (view: HomeView): JsonObject[] => {
  const { blocks } = asJson(view);
  return Array.isArray(blocks) ? (blocks as JsonObject[]) : [];
};
const headers = (view: HomeView) =>
  blocksOf(view)
    .filter((b) => b.type === 'header')
    .map((b) => String((b.text as JsonObject | undefined)?.text));
const buttonRows = (view: HomeView) => blocksOf(view).filter((b) => b.type === 'actions');

describe('homeView', () => {
  it('lists what the viewer may decide, nearest expiry first, each with Approve and Deny', () => {
    const later = aRequest({ action: 'later.thing', expiresAt: at(30) });
    const soon = aRequest({ action: 'soon.thing', expiresAt: at(5) });
    const middle = aRequest({ action: 'middle.thing', expiresAt: at(15) });
    const view = homeView({ reviewable: [later, soon, middle], mine: [], decided: [] }, {});
    expect(viewIssues(view)).toEqual([]);
    expect(view.type).toBe('home');
    expect(headers(view)).toEqual(['Waiting for you (3)', 'Your requests', 'Your recent decisions']);
    const rows = buttonRows(view);
    expect(rows.map((b) => b.block_id)).toEqual([soon, middle, later].map((r) => `decide:${r.id}`));
    for (const row of rows) {
      expect(row).toMatchObject({
        elements: [{ action_id: APPROVE_ACTION }, { action_id: DENY_ACTION }, { action_id: ASK_ACTION }],
      });
    }
  });

  it('shows the viewer’s own requests and recent decisions without buttons', () => {
    const mine = aRequest({ action: 'mine.pending', approvals: { required: 2, received: 1 } });
    const decided: ActionRequest = aRequest({
      action: 'decided.thing',
      status: 'approved',
      reviews: [{ reviewer: 'user:bob@example.com', decision: 'approve', via: 'slack', at: at(1) }],
    });
    const view = homeView(
      { reviewable: [], mine: [mine], decided: [decided] },
      { 'bob@example.com': 'U0BOB' },
    );
    expect(viewIssues(view)).toEqual([]);
    expect(buttonRows(view)).toEqual([]);
    const shown = shownText(view);
    expect(shown).toContain('Waiting for you (0)');
    expect(shown).toContain('mine.pending');
    expect(shown).toContain('pending, 1 of 2');
    expect(shown).toContain('decided.thing');
    expect(shown).toContain('Approved by <@U0BOB>');
  });

  it('puts a notice at the top when given one', () => {
    const view = homeView({ reviewable: [], mine: [], decided: [] }, {}, 'Not approved: already decided');
    expect(shownText(view.blocks[0])).toContain('Not approved: already decided');
  });

  it('stays within 100 blocks and every other limit with 200 requests to decide and full other lists', () => {
    const reviewable = Array.from({ length: 200 }, (_, i) => aHugeRequest({ expiresAt: at(200 - i) }));
    const mine = Array.from({ length: 12 }, () => aHugeRequest({ status: 'expired' }));
    const decided = Array.from({ length: 12 }, () =>
      aHugeRequest({
        status: 'denied',
        reviews: [
          {
            reviewer: 'user:bob@example.com',
            decision: 'deny',
            comment: '<&>'.repeat(1333),
            via: 'slack',
            at: at(1),
          },
        ],
      }),
    );
    const view = homeView({ reviewable, mine, decided }, {}, 'n'.repeat(5000));
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(viewIssues(view)).toEqual([]);
    // the soonest to expire are the ones shown, and the rest are counted, not silently dropped
    const shownIds = buttonRows(view).map((b) => b.block_id);
    expect(shownIds[0]).toBe(`decide:${reviewable[199]?.id}`);
    expect(shownText(view)).toMatch(/and 180 more/);
    for (const secret of Object.values(SECRETS)) expect(shownText(view)).not.toContain(secret);
  });
});
