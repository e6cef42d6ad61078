import {
  ActionList,
  ActionRequest,
  ActionStatus,
  BreakGlassInput,
  CommentInput,
  FollowUpInput,
  ReviewInput,
  StandingApproval,
  SubmitActionInput,
} from '@countersign/shared';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { answerQuestion } from '../../services/actions/answer-question';
import { breakGlass } from '../../services/actions/break-glass';
import { cancelAction } from '../../services/actions/cancel-action';
import { followUp } from '../../services/actions/follow-up';
import { getAction, MAX_WAIT_SECONDS } from '../../services/actions/get-action';
import { listActions } from '../../services/actions/list-actions';
import { listStanding } from '../../services/actions/list-standing';
import { reviewAction } from '../../services/actions/review-action';
import { revokeStanding } from '../../services/actions/revoke-standing';
import { submitAction } from '../../services/actions/submit-action';
import type { Core } from '../../services/core';
import type { AppEnv } from '../env';
import { json, v1Route } from '../openapi';

const IdParam = z.object({ id: z.string().min(1).max(100) });
const jsonBody = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

const submit = v1Route(
  {
    method: 'post',
    path: '/v1/actions',
    summary: 'Submit an action request',
    request: {
      headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
      body: jsonBody(SubmitActionInput),
    },
    responses: {
      200: json(ActionRequest, 'Replay of an earlier submission with the same Idempotency-Key and body'),
      201: json(ActionRequest, 'Submitted; the policy has allowed, blocked or held it'),
    },
  },
  [409],
);

const getOne = v1Route(
  {
    method: 'get',
    path: '/v1/actions/{id}',
    summary: 'One action request, optionally waiting for a decision',
    request: {
      params: IdParam,
      // Strict, as every query here: an unknown parameter (`wiat=30`) is named in a 400, never dropped.
      query: z.strictObject({ wait: z.coerce.number().min(0).max(MAX_WAIT_SECONDS).optional() }),
    },
    responses: { 200: json(ActionRequest, 'The request') },
  },
  [404],
);

const list = v1Route({
  method: 'get',
  path: '/v1/actions',
  summary: 'Action requests visible to the caller, newest first',
  request: {
    // Strict: a typo for `status` would otherwise widen the page to every request without a word.
    query: z.strictObject({
      status: ActionStatus.optional(),
      limit: z.coerce.number().int().min(1).max(100).optional(),
      cursor: z.string().max(200).optional(),
    }),
  },
  responses: { 200: json(ActionList, 'A page of requests') },
});

const review = v1Route(
  {
    method: 'post',
    path: '/v1/actions/{id}/reviews',
    summary: 'Approve or deny a request',
    request: { params: IdParam, body: jsonBody(ReviewInput) },
    responses: { 200: json(ActionRequest, 'The request after the review') },
  },
  [404, 409, 410],
);

const answer = v1Route(
  {
    method: 'post',
    path: '/v1/actions/{id}/comments',
    summary: "The requester's answer to a reviewer's question (the request stays pending)",
    request: { params: IdParam, body: jsonBody(CommentInput) },
    responses: { 200: json(ActionRequest, 'The request with the answer') },
  },
  [404, 409, 410],
);

const breakGlassRoute = v1Route(
  {
    method: 'post',
    path: '/v1/actions/{id}/break-glass',
    summary:
      "The requester's side approves its own request, with a reason, where the rule allows break-glass",
    request: { params: IdParam, body: jsonBody(BreakGlassInput) },
    responses: { 200: json(ActionRequest, 'The request, approved, with its follow-up review open') },
  },
  [404, 409, 410],
);

const followUpRoute = v1Route(
  {
    method: 'post',
    path: '/v1/actions/{id}/follow-up',
    summary: 'Sign off or flag a break-glass (an approver of the request)',
    request: { params: IdParam, body: jsonBody(FollowUpInput) },
    responses: { 200: json(ActionRequest, 'The request with its follow-up review closed') },
  },
  [404, 409],
);

const standingList = v1Route({
  method: 'get',
  path: '/v1/standing-approvals',
  summary: 'Live standing approvals: of your approver groups, or your own as a requester',
  responses: { 200: json(z.object({ items: z.array(StandingApproval) }), 'Live standing approvals') },
});

const standingRevoke = v1Route(
  {
    method: 'post',
    path: '/v1/standing-approvals/{id}/revoke',
    summary: 'Revoke a standing approval (any approver of its groups)',
    request: { params: IdParam },
    responses: { 200: json(StandingApproval, 'The revoked standing approval') },
  },
  [404, 409],
);

const cancel = v1Route(
  {
    method: 'post',
    path: '/v1/actions/{id}/cancel',
    summary: 'Withdraw a pending request',
    request: { params: IdParam },
    responses: { 200: json(ActionRequest, 'The cancelled request') },
  },
  [404, 409],
);

export function registerActionRoutes(app: OpenAPIHono<AppEnv>, core: Core): void {
  app.openapi(submit, async (c) => {
    const { request, replayed } = await submitAction({
      ctx: { core, actor: c.var.actor },
      input: c.req.valid('json'),
      idempotencyKey: c.req.valid('header')['idempotency-key'],
    });
    return replayed ? c.json(request, 200) : c.json(request, 201);
  });

  app.openapi(getOne, async (c) => {
    const request = await getAction({
      ctx: { core, actor: c.var.actor },
      id: c.req.valid('param').id,
      waitSeconds: c.req.valid('query').wait ?? 0,
      signal: c.req.raw.signal,
    });
    return c.json(request, 200);
  });

  app.openapi(list, async (c) =>
    c.json(await listActions({ ctx: { core, actor: c.var.actor }, input: c.req.valid('query') }), 200),
  );

  app.openapi(review, async (c) => {
    const ctx = { core, actor: c.var.actor };
    return c.json(await reviewAction({ ctx, id: c.req.valid('param').id, input: c.req.valid('json') }), 200);
  });

  app.openapi(answer, async (c) => {
    const ctx = { core, actor: c.var.actor };
    return c.json(
      await answerQuestion({ ctx, id: c.req.valid('param').id, input: c.req.valid('json') }),
      200,
    );
  });

  app.openapi(breakGlassRoute, async (c) => {
    const ctx = { core, actor: c.var.actor };
    return c.json(await breakGlass({ ctx, id: c.req.valid('param').id, input: c.req.valid('json') }), 200);
  });

  app.openapi(followUpRoute, async (c) => {
    const ctx = { core, actor: c.var.actor };
    return c.json(await followUp({ ctx, id: c.req.valid('param').id, input: c.req.valid('json') }), 200);
  });

  app.openapi(standingList, async (c) =>
    c.json({ items: await listStanding({ ctx: { core, actor: c.var.actor } }) }, 200),
  );

  app.openapi(standingRevoke, async (c) =>
    c.json(await revokeStanding({ ctx: { core, actor: c.var.actor }, id: c.req.valid('param').id }), 200),
  );

  app.openapi(cancel, async (c) =>
    c.json(await cancelAction({ ctx: { core, actor: c.var.actor }, id: c.req.valid('param').id }), 200),
  );
}
