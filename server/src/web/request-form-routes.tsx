import {
  BreakGlassInput,
  CommentInput,
  ERROR_STATUS,
  type ErrorDetail,
  FollowUpInput,
  ReviewInput,
} from '@countersign/shared';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DomainError } from '../errors';
import type { AppEnv } from '../http/env';
import { answerQuestion } from '../services/actions/answer-question';
import { askQuestion } from '../services/actions/ask-question';
import { breakGlass } from '../services/actions/break-glass';
import { followUp } from '../services/actions/follow-up';
import { getAction } from '../services/actions/get-action';
import { reviewAction } from '../services/actions/review-action';
import { revokeStanding } from '../services/actions/revoke-standing';
import type { Core } from '../services/core';
import type { FormName, FormState } from './components/request-forms';
import type { Page } from './session';

type C = Context<AppEnv>;
type Form = Record<string, string | File | (string | File)[]>;
type Handler = (c: C, p: Page, form: Form) => Promise<Response>;

/** What the console's registration lends these routes: its session wrapper and its request page. */
export type FormKit = {
  core: Core;
  page: (handler: Handler) => (c: C) => Promise<Response>;
  requestPage: (
    c: C,
    p: Page,
    extra: { problem?: string; formState?: FormState },
    status: number,
  ) => Promise<Response>;
  safeNext: (next: string | undefined) => string;
  /** Starts the step-up a break-glass needs under a step-up rule, carrying its reason (console.tsx). */
  breakGlassStepUp: (
    c: C,
    p: Page,
    id: string,
    method: 'mfa' | 'passkey',
    reason: string,
  ) => Promise<Response>;
};

const text = (form: Form, name: string): string => {
  const v = form[name];
  return typeof v === 'string' ? v : '';
};

const back = (c: C, to: string, message: string) =>
  c.redirect(`${to}${to.includes('?') ? '&' : '?'}done=${encodeURIComponent(message)}`, 303);

/** Field names as the forms use them: `standing.for` is the standing form's `for`. */
function fieldsOf(details: readonly ErrorDetail[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const d of details) {
    const name = d.path === 'standing' ? 'standing' : d.path.replace(/^standing\./, '');
    fields[name] ??= d.message;
  }
  return fields;
}

/**
 * Issue 16's request-page forms (standing approval, question, answer, break-glass, follow-up) and the
 * standing approvals' Revoke button. Each parses the form with the API's own schema, calls one verb
 * and redirects; a refusal shows the page again with the core's words, by field where it names one.
 */
export function registerRequestForms(app: OpenAPIHono<AppEnv>, kit: FormKit): void {
  const { core, page } = kit;
  /** Runs one verb for a form; its refusal (other than an unseen request) is shown on the request page. */
  const post =
    (name: FormName, run: (c: C, p: Page, form: Form) => Promise<string | ErrorDetail[]>): Handler =>
    async (c, p, form) => {
      const values = Object.fromEntries(Object.keys(form).map((k) => [k, text(form, k)]));
      const show = (problem: string, details: readonly ErrorDetail[], status: number) =>
        kit.requestPage(
          c,
          p,
          { problem, formState: { form: name, fields: fieldsOf(details), values } },
          status,
        );
      try {
        const outcome = await run(c, p, form);
        if (typeof outcome !== 'string') return show('Check the highlighted fields.', outcome, 400);
        return back(c, `/requests/${c.req.param('id') ?? ''}`, outcome);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code === 'not_found') throw error;
        return show(error.message, error.details ?? [], ERROR_STATUS[error.code]);
      }
    };
  /** A schema's refusal as the fields it names, like the API's 400 details. */
  const issues = (error: { issues: readonly { path: PropertyKey[]; message: string }[] }) =>
    error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const ctxOf = (p: Page) => ({ core, actor: p.actor });

  app.post(
    '/requests/:id/standing',
    page(
      post('standing', async (c, p, form) => {
        const resource = text(form, 'resource').trim();
        const comment = text(form, 'comment').trim();
        const usesText = text(form, 'uses').trim();
        const input = ReviewInput.safeParse({
          decision: 'approve',
          standing: {
            for: text(form, 'for').trim(),
            uses: usesText === '' ? Number.NaN : Number(usesText),
            ...(resource && { resource }),
          },
          ...(comment && { comment }),
        });
        if (!input.success) return issues(input.error);
        await reviewAction({ ctx: ctxOf(p), id: c.req.param('id') ?? '', input: input.data });
        return 'Approved, and the same again: a standing approval is live.';
      }),
    ),
  );

  app.post(
    '/requests/:id/ask',
    page(
      post('ask', async (c, p, form) => {
        const input = CommentInput.safeParse({ comment: text(form, 'comment').trim() });
        if (!input.success) return issues(input.error);
        await askQuestion({ ctx: ctxOf(p), id: c.req.param('id') ?? '', comment: input.data.comment });
        return 'Your question was sent; the request stays pending.';
      }),
    ),
  );

  app.post(
    '/requests/:id/answer',
    page(
      post('answer', async (c, p, form) => {
        const input = CommentInput.safeParse({ comment: text(form, 'comment').trim() });
        if (!input.success) return issues(input.error);
        await answerQuestion({ ctx: ctxOf(p), id: c.req.param('id') ?? '', input: input.data });
        return 'Your answer was sent to the reviewers.';
      }),
    ),
  );

  const glass = post('break-glass', async (c, p, form) => {
    const input = BreakGlassInput.safeParse({ reason: text(form, 'reason') });
    if (!input.success) return issues(input.error);
    await breakGlass({ ctx: ctxOf(p), id: c.req.param('id') ?? '', input: input.data });
    return 'Break-glass: your request is approved. It is in the audit log and in every approver’s queue for review.';
  });
  app.post(
    '/requests/:id/break-glass',
    page(async (c, p, form) => {
      const id = c.req.param('id') ?? '';
      const request = await getAction({ ctx: ctxOf(p), id });
      const input = BreakGlassInput.safeParse({ reason: text(form, 'reason') });
      // Under a step-up rule the glass breaks only after a step-up made for it (MFA or a passkey):
      // the reason goes with it. Anything else (a bad reason, a decided request) is the verb's answer.
      if (!request.stepUp || !input.success || request.status !== 'pending') return glass(c, p, form);
      try {
        return await kit.breakGlassStepUp(c, p, id, request.stepUp, input.data.reason.trim());
      } catch (error) {
        if (!(error instanceof DomainError) || error.code === 'not_found') throw error;
        return kit.requestPage(c, p, { problem: error.message }, ERROR_STATUS[error.code]);
      }
    }),
  );

  app.post(
    '/requests/:id/follow-up',
    page(
      post('follow-up', async (c, p, form) => {
        const comment = text(form, 'comment').trim();
        const input = FollowUpInput.safeParse({
          decision: text(form, 'decision'),
          ...(comment && { comment }),
        });
        if (!input.success) return issues(input.error);
        await followUp({ ctx: ctxOf(p), id: c.req.param('id') ?? '', input: input.data });
        return input.data.decision === 'sign_off'
          ? 'You signed off this break-glass.'
          : 'You flagged this break-glass.';
      }),
    ),
  );

  // From the queue or a request page: back to where the button was, with the outcome.
  app.post(
    '/standing/:id/revoke',
    page(async (c, p, form) => {
      const revoked = await revokeStanding({ ctx: ctxOf(p), id: c.req.param('id') ?? '' });
      return back(c, kit.safeNext(text(form, 'next')), `Standing approval ${revoked.id} revoked.`);
    }),
  );
}
