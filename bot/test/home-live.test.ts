import type { StandingApproval } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { followUpLine, homeView, standingLine } from '../src/blocks/home';
import { aHugeRequest, aRequest, MARKUP, shownText, viewIssues } from './fixtures';

// Issue 16: open break-glass follow-ups and live standing approvals on the App Home, while they last.
const aStanding = (overrides: Partial<StandingApproval> = {}): StandingApproval => ({
  id: 'sta_01JBQ3Z7X5K9M2N4P6R8T00001',
  action: 'db.export',
  resource: 'reports/eu/*',
  requester: 'agent:report-bot',
  rule: 'exports',
  by: 'user:alice@example.com',
  createdAt: '2030-01-01T00:00:00.000Z',
  until: '2030-01-01T01:00:00.000Z',
  usesLeft: 2,
  fromRequest: 'act_01JBQ3Z7X5K9M2N4P6R8T00001',
  ...overrides,
});
const broken = () =>
  aRequest({
    status: 'approved',
    breakGlass: {
      notify: ['#security'],
      reviewWithinMs: 86_400_000,
      reason: 'Payments are down and nobody answers the page.',
      by: 'user:erin@example.com',
      at: '2030-01-01T00:00:00.000Z',
      followUp: { status: 'open', dueAt: '2030-01-02T00:00:00.000Z' },
    },
  });

/** A follow-up bob closed at 2030-01-01T12:00Z, as the queue's closedFollowUps holds it. */
const closed = (status: 'signed_off' | 'flagged', comment?: string) => {
  const request = broken();
  return aRequest({
    id: `act_01JBQ3Z7X5K9M2N4P6R8T0${status === 'flagged' ? 'FLAG' : 'SIGN'}`,
    status: 'approved',
    breakGlass: {
      ...request.breakGlass,
      notify: [],
      reviewWithinMs: 86_400_000,
      followUp: {
        status,
        dueAt: '2030-01-02T00:00:00.000Z',
        by: 'user:bob@example.com',
        at: '2030-01-01T12:00:00.000Z',
        ...(comment !== undefined && { comment }),
      },
    },
  });
};

describe('App Home: follow-ups and standing approvals', () => {
  it('lists open follow-ups and live standing approvals under their own headings', () => {
    const followUp = broken();
    const view = homeView(
      { reviewable: [], mine: [], decided: [], followUps: [followUp], standing: [aStanding()] },
      { 'alice@example.com': 'U0ALICE', 'erin@example.com': 'U0ERIN' },
    );
    expect(viewIssues(view)).toEqual([]);
    const text = shownText(view);
    expect(text).toContain('Break-glass follow-ups (1)');
    expect(text).toContain('Broken by <@U0ERIN>: “Payments are down and nobody answers the page.”');
    expect(text).toContain(followUp.id);
    expect(text).toContain('Standing approvals (1)');
    expect(text).toContain('Approved by <@U0ALICE>');
    expect(text).toContain('2 uses left');
    expect(text).toContain('reports/eu/*');
  });

  it('shows a follow-up closed lately with who closed it, how and when, and no buttons', () => {
    const open = broken();
    const signed = closed('signed_off');
    const flagged = closed('flagged', 'No outage: a restart would have done.');
    const view = homeView(
      { reviewable: [], mine: [], decided: [], followUps: [open], closedFollowUps: [signed, flagged] },
      { 'alice@example.com': 'U0ALICE', 'bob@example.com': 'U0BOB' },
    );
    expect(viewIssues(view)).toEqual([]);
    const text = shownText(view);
    expect(text).toContain('Break-glass follow-ups (1)');
    expect(text).toContain('*signed off* by <@U0BOB> · <!date^1893499200^');
    expect(text).toContain('*flagged* by <@U0BOB> · <!date^1893499200^');
    expect(text).toContain('“No outage: a restart would have done.”');
    const buttons = JSON.stringify(view.blocks).match(/"value":"act_[^"]+"/g) ?? [];
    expect(buttons).toEqual([`"value":"${open.id}"`, `"value":"${open.id}"`]);
  });

  it('shows neither heading when there is nothing live', () => {
    const text = shownText(
      homeView({ reviewable: [], mine: [], decided: [], followUps: [], standing: [] }, {}),
    );
    expect(text).not.toContain('Break-glass follow-ups');
    expect(text).not.toContain('Standing approvals');
  });

  it('stays within the Home tab limits with every list full and every field at its maximum', () => {
    const huge = aHugeRequest();
    const view = homeView(
      {
        reviewable: Array.from({ length: 30 }, () => aHugeRequest()),
        mine: Array.from({ length: 20 }, () => huge),
        decided: Array.from({ length: 20 }, () => huge),
        // Each its own request (its buttons' block_id names it), every field at its maximum.
        followUps: Array.from({ length: 9 }, () => ({
          ...aHugeRequest(),
          breakGlass: { ...broken().breakGlass, notify: [], reviewWithinMs: 1, reason: MARKUP },
        })),
        closedFollowUps: Array.from({ length: 5 }, () => closed('flagged', MARKUP)),
        standing: Array.from({ length: 9 }, () =>
          aStanding({ action: MARKUP, resource: MARKUP, requester: MARKUP }),
        ),
      },
      {},
      'a notice',
    );
    expect(viewIssues(view)).toEqual([]);
    expect(shownText(view)).toContain('…and 4 more: the console lists them all.');
  });

  it('says which environment a standing approval covers (it covers no other)', () => {
    expect(standingLine(aStanding({ environment: 'staging' }), {})).toContain(' in `staging`');
    expect(standingLine(aStanding(), {})).not.toContain(' in `');
  });

  it('words a single use, and a standing approval on any resource', () => {
    expect(standingLine(aStanding({ usesLeft: 1, resource: undefined }), {})).toMatch(/1 use left/);
    expect(followUpLine(broken(), {})).toContain('erin@example.com');
  });
});
