import { describe, expect, it } from 'vitest';
import { outcomeNotice, requestCard, threadText, when } from '../src/teams/cards/request-card';
import { aHugeRequest, aRequest, SECRETS, secretParams } from './fixtures';

type Action = {
  type: string;
  title?: string;
  verb?: string;
  url?: string;
  fallback?: { type: string };
  card?: Card;
};
type Card = { type: string; version?: string; body: Record<string, unknown>[]; actions?: Action[] };
const cardOf = (value: unknown) => value as Card;
const TEAMS_LIMIT = 28 * 1024;

describe('Teams request card (pure builder)', () => {
  it('a pending request: Approve (Execute, Submit fallback), Deny opening a required reason, Open in Countersign', () => {
    const card = cardOf(requestCard(aRequest(), { consoleUrl: 'https://cs.example.com/' }));
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    const [approve, deny, open] = card.actions ?? [];
    expect(approve).toMatchObject({ type: 'Action.Execute', verb: 'countersign.approve' });
    expect(approve?.fallback?.type).toBe('Action.Submit');
    expect(deny?.type).toBe('Action.ShowCard');
    expect(deny?.card?.body[0]).toMatchObject({ type: 'Input.Text', id: 'reason', isRequired: true });
    expect(deny?.card?.actions?.[0]).toMatchObject({ type: 'Action.Execute', verb: 'countersign.deny' });
    expect(open?.url).toMatch(/^https:\/\/cs\.example\.com\/requests\/act_/);
  });

  it("a step-up request: Approve opens the console's step-up page (Action.OpenUrl), nothing to Execute", () => {
    for (const [method, title] of [
      ['mfa', 'Approve (MFA)'],
      ['passkey', 'Approve (passkey)'],
    ] as const) {
      const request = { ...aRequest(), stepUp: method };
      const card = cardOf(requestCard(request, { consoleUrl: 'https://cs.example.com/' }));
      const [approve, deny] = card.actions ?? [];
      expect(approve).toEqual({
        type: 'Action.OpenUrl',
        title,
        style: 'positive',
        url: `https://cs.example.com/requests/${request.id}/step-up`,
      });
      expect(deny?.type).toBe('Action.ShowCard');
      expect(JSON.stringify(card.actions?.filter((a) => a.title?.startsWith('Approve')))).not.toContain(
        'countersign.approve',
      );
    }
    // Without a console there is no page to open: the click goes to the core, which refuses it in words.
    const bare = cardOf(requestCard({ ...aRequest(), stepUp: 'passkey' }));
    expect(bare.actions?.[0]).toMatchObject({ type: 'Action.Execute', verb: 'countersign.approve' });
  });

  for (const [status, words] of [
    ['approved', 'Approved by alice@example.com'],
    ['denied', 'Denied by bob@example.com: not now'],
    ['expired', 'Expired without a decision'],
  ] as const) {
    it(`${status}: no decision buttons are left, the outcome is shown instead`, () => {
      const request = aRequest({
        status,
        reviews:
          status === 'approved'
            ? [
                {
                  reviewer: 'user:alice@example.com',
                  decision: 'approve',
                  via: 'teams',
                  at: '2025-01-01T00:00:00Z',
                },
              ]
            : status === 'denied'
              ? [
                  {
                    reviewer: 'user:bob@example.com',
                    decision: 'deny',
                    comment: 'not now',
                    via: 'teams',
                    at: '2025-01-01T00:00:00Z',
                  },
                ]
              : [],
      });
      const card = cardOf(requestCard(request));
      expect(card.actions).toBeUndefined();
      expect(JSON.stringify(card.body)).toContain(words);
      expect(JSON.stringify(card)).not.toContain('Action.Execute');
    });
  }

  it('masks secrets in params, by key name and by value shape', () => {
    const text = JSON.stringify(requestCard(aRequest({ params: secretParams() })));
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  });

  it("shows a request's own text as typed, not as Markdown", () => {
    const card = JSON.stringify(
      requestCard(aRequest({ justification: '**urgent** [click](https://evil.example)' })),
    );
    expect(card).toContain('\\\\*\\\\*urgent\\\\*\\\\* \\\\[click\\\\](https://evil.example)');
  });

  it("stays under Teams' 28 KB whatever the request carries", () => {
    const bytes = Buffer.byteLength(
      JSON.stringify({ type: 'message', attachments: [requestCard(aHugeRequest())] }),
    );
    expect(bytes).toBeLessThan(TEAMS_LIMIT);
  });

  it('Expires uses {{DATE}}/{{TIME}} with an RFC 3339 time to the second (Teams shows milliseconds raw)', () => {
    expect(when('2025-06-03T09:56:00.123Z')).toBe(
      '{{DATE(2025-06-03T09:56:00Z, SHORT)}} {{TIME(2025-06-03T09:56:00Z)}}',
    );
    const card = JSON.stringify(requestCard(aRequest({ expiresAt: '2025-06-03T09:56:00.000Z' })));
    expect(card).not.toMatch(/\{\{(DATE|TIME)\([^)]*\.\d{3}Z/);
  });

  it('thread replies and the 1:1 outcome notice', () => {
    const request = aRequest({
      status: 'denied',
      reviews: [
        {
          reviewer: 'user:bob@example.com',
          decision: 'deny',
          comment: 'freeze',
          via: 'teams',
          at: '2025-01-01T00:00:00Z',
        },
      ],
    });
    expect(
      threadText(
        'review.recorded',
        { actor: 'user:bob@example.com', decision: 'deny', comment: 'freeze' },
        request,
      ),
    ).toBe('❌ bob@example.com denied: “freeze”');
    expect(
      threadText('review.refused', { actor: 'user:eve@example.com', code: 'self_approval' }, request),
    ).toContain("can't review this request");
    expect(threadText('action.submitted', {}, request)).toBeUndefined();
    expect(outcomeNotice(request)).toBe(
      `Your request terraform.apply on stack/payments (${request.id}): Denied by bob@example.com: freeze`,
    );
  });
});
