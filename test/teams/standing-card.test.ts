import type { StandingApproval } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { standingCard } from '../../bot/src/teams/cards/standing-card';

// Teams' `approvals` answer lists live standing approvals; each says what it covers, including the
// environment it was given in, since it covers no other (a staging approval never approves prod).
const aStanding = (overrides: Partial<StandingApproval> = {}): StandingApproval => ({
  id: 'sta_01',
  action: 'reports.daily',
  resource: 'r/1',
  requester: 'agent:report-bot',
  rule: 'reports',
  by: 'user:rita@example.com',
  createdAt: '2030-01-01T00:00:00.000Z',
  until: '2030-01-01T01:00:00.000Z',
  usesLeft: 2,
  fromRequest: 'act_01',
  ...overrides,
});

describe('Teams standing approvals card', () => {
  it('says which environment a standing approval covers, and nothing where it has none', () => {
    expect(JSON.stringify(standingCard([aStanding({ environment: 'staging' })]))).toContain(
      'on r/1 in staging',
    );
    expect(JSON.stringify(standingCard([aStanding()]))).not.toContain(' in staging');
  });
});
