import { describe, expect, it } from 'vitest';
import {
  AMEND_MODAL,
  amendModal,
  editableParams,
  FOR_BLOCK,
  PARAMS_BLOCK,
  parseAmendedParams,
  parseStandingTerms,
  restoreMasked,
  STANDING_MODAL,
  standingModal,
  USES_BLOCK,
} from '../src/blocks/approve-modals';
import { ASK_ACTION } from '../src/blocks/ask';
import { AMEND_ACTION, requestMessage, STANDING_ACTION } from '../src/blocks/request-message';
import {
  aHugeRequest,
  aRequest,
  messageIssues,
  SECRETS,
  secretParams,
  shownText,
  viewIssues,
} from './fixtures';

const LIMITS = { maxMs: 3_600_000, uses: 3 };
const actionIds = (message: ReturnType<typeof requestMessage>): string[] =>
  message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => String(e.action_id)) : []));

describe('extra approval buttons on a request message', () => {
  it('offers amend and standing only where the rule allows them', () => {
    const request = aRequest();
    expect(actionIds(requestMessage(request))).not.toContain(AMEND_ACTION);
    expect(actionIds(requestMessage(request, {}, undefined, { amend: false }))).toEqual([
      'countersign.approve',
      'countersign.deny',
      ASK_ACTION,
    ]);
    const both = requestMessage(request, {}, undefined, { amend: true, standing: LIMITS });
    expect(messageIssues(both)).toEqual([]);
    expect(actionIds(both)).toEqual([
      'countersign.approve',
      'countersign.deny',
      AMEND_ACTION,
      STANDING_ACTION,
      ASK_ACTION,
    ]);
    expect(shownText(both)).toContain('Approve with changes…');
    expect(shownText(both)).toContain('Approve for 1h…');
    // A rule whose limit is shorter than an hour offers its own limit.
    expect(
      shownText(
        requestMessage(request, {}, undefined, { amend: false, standing: { maxMs: 900_000, uses: 1 } }),
      ),
    ).toContain('Approve for 15m…');
  });

  it('offers neither under a step-up, nor amend once someone approved the submitted params', () => {
    const options = { amend: true, standing: LIMITS };
    expect(
      actionIds(requestMessage(aRequest({ stepUp: 'mfa' }), {}, 'https://c.example.com', options)),
    ).not.toContain(AMEND_ACTION);
    const half = aRequest({ approvals: { required: 2, received: 1 } });
    expect(actionIds(requestMessage(half, {}, undefined, { amend: true }))).not.toContain(AMEND_ACTION);
  });
});

describe('amendModal', () => {
  it('holds the params as masked JSON and the request id and digest', () => {
    const request = aRequest({ params: { rows: 50_000, ...secretParams() } });
    const view = amendModal(request, { channel: 'C0OPS', ts: '1.2' });
    expect(view).toBeDefined();
    expect(viewIssues(view)).toEqual([]);
    expect(view).toMatchObject({ callback_id: AMEND_MODAL });
    expect(JSON.parse(view?.private_metadata ?? '')).toEqual({
      id: request.id,
      digest: request.digest,
      origin: { channel: 'C0OPS', ts: '1.2' },
    });
    const input = view?.blocks.find((b) => b.type === 'input');
    expect(input).toMatchObject({ block_id: PARAMS_BLOCK });
    for (const secret of Object.values(SECRETS)) expect(shownText(view)).not.toContain(secret);
    expect(shownText(view)).toContain('"rows": 50000');
  });

  it('is not offered for params too long to edit in Slack', () => {
    expect(amendModal(aHugeRequest())).toBeUndefined();
  });
});

describe('parseAmendedParams', () => {
  const original = { rows: 50_000, prefix: 'exports/', ...secretParams() };
  const edit = (change: (p: Record<string, unknown>) => void): string => {
    const shown = JSON.parse(editableParams(aRequest({ params: original }))) as Record<string, unknown>;
    change(shown);
    return JSON.stringify(shown);
  };

  it('keeps masked secrets as submitted and takes the changes', () => {
    const parsed = parseAmendedParams(
      edit((p) => {
        p.rows = 100;
      }),
      original,
    );
    expect(parsed).toEqual({ params: { ...original, rows: 100 } });
  });

  it('refuses JSON that is not an object, unchanged params, and a mask moved elsewhere', () => {
    expect(parseAmendedParams('{rows: 1', original)).toMatchObject({
      error: expect.stringContaining('Not JSON'),
    });
    expect(parseAmendedParams('[1]', original)).toMatchObject({
      error: expect.stringContaining('JSON object'),
    });
    expect(
      parseAmendedParams(
        edit(() => {}),
        original,
      ),
    ).toMatchObject({ error: expect.stringContaining('Nothing changed') });
    expect(
      parseAmendedParams(
        edit((p) => {
          p.copy = p.password;
        }),
        original,
      ),
    ).toMatchObject({ error: expect.stringContaining('masked value') });
  });

  it('restores only a mask left where it was', () => {
    expect(restoreMasked({ a: '••••••', b: 1 }, { a: 'x', b: 2 })).toEqual({ a: '••••••', b: 1 });
    expect(restoreMasked({ password: '••••••' }, { password: 'p' })).toEqual({ password: 'p' });
  });
});

describe('standingModal and parseStandingTerms', () => {
  it('offers at most the rule limits', () => {
    const view = standingModal(aRequest(), LIMITS, { channel: 'C0OPS', ts: '1.2' });
    expect(viewIssues(view)).toEqual([]);
    expect(view.callback_id).toBe(STANDING_MODAL);
    expect(shownText(view)).toContain('at most 1h');
    expect(shownText(view)).toContain('at most 3');
  });

  it('checks the duration and the uses against the limits', () => {
    expect(parseStandingTerms('30m', '2', LIMITS)).toEqual({ standing: { for: '30m', uses: 2 } });
    expect(parseStandingTerms('2h', '4', LIMITS)).toEqual({
      errors: { [FOR_BLOCK]: 'The rule allows at most 1h.', [USES_BLOCK]: 'The rule allows at most 3.' },
    });
    expect(parseStandingTerms('soon', '0', LIMITS)).toMatchObject({
      errors: { [FOR_BLOCK]: expect.any(String), [USES_BLOCK]: expect.any(String) },
    });
  });
});
