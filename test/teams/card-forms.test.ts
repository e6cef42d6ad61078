import { describe, expect, it } from 'vitest';
import { breakGlassCard } from '../../bot/src/teams/cards/break-glass-card';
import { requestCard, threadAttachment, threadText } from '../../bot/src/teams/cards/request-card';
import { aHugeRequest, aRequest } from '../../bot/test/fixtures';

// The card builder's forms (issue 16) as pure functions of a request and what its rule allows: which
// form is offered to whom, what the card itself checks, and that it all stays under Teams' 28 KB.

const TEAMS_LIMIT = 28 * 1024;
const ALL = { amend: true, standing: { maxMs: 30 * 60_000, uses: 20 } };
const GLASS = { notify: ['#security'], reviewWithinMs: 86_400_000 };

type Element = Record<string, unknown> & { type?: string; title?: string; id?: string };
function elements(node: unknown, out: Element[] = []): Element[] {
  if (Array.isArray(node)) for (const n of node) elements(n, out);
  else if (node !== null && typeof node === 'object') {
    const e = node as Element;
    if (typeof e.type === 'string' && /^(Action|Input)\./.test(e.type)) out.push(e);
    for (const [k, v] of Object.entries(e)) if (k !== 'fallback') elements(v, out);
  }
  return out;
}
const titles = (card: unknown) => elements(card).map((e) => e.title ?? e.id);
const inputNamed = (card: unknown, id: string) => elements(card).find((e) => e.id === id);
const bytes = (card: unknown) =>
  Buffer.byteLength(JSON.stringify({ type: 'message', attachments: [{ content: card }] }));

describe('Teams card forms', () => {
  it('offers each form only where the rule allows it', () => {
    expect(titles(requestCard(aRequest(), { review: ALL }))).toEqual(
      expect.arrayContaining(['Approve with changes…', 'Approve for 30m…', 'Ask…']),
    );
    const plain = titles(requestCard(aRequest(), { review: { amend: false } }));
    expect(plain).toContain('Ask…');
    expect(plain).not.toContain('Approve with changes…');
    expect(plain.some((t) => String(t).startsWith('Approve for'))).toBe(false);
    expect(plain).not.toContain('Break glass…');
    expect(titles(requestCard(aRequest({ breakGlass: GLASS })))).toContain('Break glass…');
  });

  it('a step-up request offers no amend or standing form (both are approvals the console must step up)', () => {
    const card = requestCard(aRequest({ stepUp: 'mfa' }), { review: ALL, consoleUrl: 'https://c.example' });
    expect(titles(card)).not.toContain('Approve with changes…');
    expect(titles(card).some((t) => String(t).startsWith('Approve for'))).toBe(false);
  });

  it('the card checks what Adaptive Cards can: required, lengths, a duration, the uses’ range, 20 characters', () => {
    const card = requestCard(aRequest({ breakGlass: GLASS }), { review: ALL });
    expect(inputNamed(card, 'standingFor')).toMatchObject({ isRequired: true, value: '30m', maxLength: 20 });
    expect(new RegExp(String(inputNamed(card, 'standingFor')?.regex)).test('1h30m')).toBe(true);
    expect(new RegExp(String(inputNamed(card, 'standingFor')?.regex)).test('soon')).toBe(false);
    expect(inputNamed(card, 'standingUses')).toMatchObject({ min: 1, max: 20, isRequired: true });
    const glass = new RegExp(String(inputNamed(card, 'glassReason')?.regex));
    expect(glass.test('too short')).toBe(false);
    expect(glass.test('nobody answers the page at 3am')).toBe(true);
    expect(inputNamed(card, 'question')).toMatchObject({ isRequired: true, maxLength: 4000 });
  });

  it('params too long to edit in the card: a notice to amend in the console, not a truncated form', () => {
    const card = requestCard(aRequest({ params: { notes: 'n'.repeat(5000) } }), { review: ALL });
    expect(inputNamed(card, 'amendParams')).toBeUndefined();
    expect(JSON.stringify(card)).toContain('amend them in the Countersign console');
  });

  it("stays under Teams' 28 KB with every form, for the longest request and the longest editable params", () => {
    expect(bytes(requestCard(aHugeRequest({ breakGlass: GLASS }), { review: ALL }))).toBeLessThan(
      TEAMS_LIMIT,
    );
    const editable = aHugeRequest({ breakGlass: GLASS, params: { notes: 'n'.repeat(2950) } });
    const card = requestCard(editable, { review: ALL });
    expect(inputNamed(card, 'amendParams')).toBeDefined();
    expect(bytes(card)).toBeLessThan(TEAMS_LIMIT);
  });

  it("the requester's side sees only Break glass… on a pending request, and no Sign off / Flag… after", () => {
    const pending = requestCard(aRequest({ breakGlass: GLASS }), { review: ALL, side: 'requester' });
    expect(titles(pending)).toEqual(['Break glass…', 'glassReason', 'Break glass']);
    const broken = aRequest({
      status: 'approved',
      breakGlass: {
        ...GLASS,
        by: 'user:erin@example.com',
        reason: 'r'.repeat(30),
        at: '2026-01-01T00:00:00Z',
        followUp: { status: 'open', dueAt: '2026-01-02T00:00:00Z' },
      },
    });
    expect(titles(requestCard(broken))).toEqual(expect.arrayContaining(['Sign off', 'Flag…']));
    expect(titles(requestCard(broken, { side: 'requester' }))).not.toContain('Sign off');
  });

  it("an approver's break-glass card: who and why first, Sign off / Flag… only while the follow-up is open, under 28 KB", () => {
    const glass = {
      ...GLASS,
      by: 'user:erin@example.com',
      reason: 'r'.repeat(4000),
      at: '2026-01-01T00:00:00Z',
      followUp: { status: 'open' as const, dueAt: '2026-01-02T00:00:00Z' },
    };
    const payload = {
      actor: 'user:erin@example.com',
      reason: 'r'.repeat(4000),
      followUpDueAt: Date.UTC(2026, 0, 2),
    };
    const card = breakGlassCard(
      aHugeRequest({ status: 'approved', breakGlass: glass }),
      payload,
      'https://cs.example',
    );
    expect(JSON.stringify((card.body as unknown[])[0])).toContain('Break-glass');
    expect(JSON.stringify((card.body as unknown[])[0])).toContain('{{DATE(2026-01-02T00:00:00Z, SHORT)}}');
    expect(titles(card)).toEqual(expect.arrayContaining(['Sign off', 'Flag…', 'Open in Countersign']));
    expect(titles(card)).not.toContain('Approve');
    expect(bytes(card)).toBeLessThan(TEAMS_LIMIT);
    const closed = aRequest({
      status: 'approved',
      breakGlass: { ...glass, followUp: { status: 'signed_off', dueAt: '2026-01-02T00:00:00Z' } },
    });
    expect(titles(breakGlassCard(closed, payload))).not.toContain('Sign off');
  });

  it('a question is threaded as a card with Answer… while the request is pending; other replies are text', () => {
    const request = aRequest();
    const line =
      threadText('action.question', { actor: 'user:alice@example.com', comment: 'why?' }, request) ?? '';
    expect(line).not.toContain('POST /v1');
    expect(titles(threadAttachment('action.question', line, request)?.content)).toContain('Answer…');
    expect(threadAttachment('action.question', line, aRequest({ status: 'denied' }))).toBeUndefined();
    expect(threadAttachment('action.answered', 'x', request)).toBeUndefined();
  });
});
