import type { ActionRequest, CommentInput, ErrorCode } from '@countersign/shared';
import { actionComments } from '../../db/schema';
import { newId } from '../../ids';
import type { Ctx } from '../core';
import { record } from '../outbox/record';
import { canSee, isRequesterSide } from './access';
import { loadAction, notPending } from './rows';
import { settle } from './settle';

const REFUSALS: Partial<Record<ErrorCode, string>> = {
  forbidden: 'Only the requester (or the agent’s owner) answers questions about a request.',
  not_pending: 'This request has already been decided.',
  expired: 'This request expired before it was decided.',
  invalid_request: 'No reviewer has asked a question about this request yet.',
};

/**
 * The requester's (or the agent's owner's) answer to a reviewer's question. The request stays
 * pending; the answer joins its `comments`, is audited (`action.answered`) and threaded in chat.
 */
export async function answerQuestion({
  ctx,
  id,
  input,
}: {
  ctx: Ctx;
  id: string;
  input: CommentInput;
}): Promise<ActionRequest> {
  const { core, actor } = ctx;
  const comment = input.comment.trim();
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const loaded = await loadAction(tx, id);
    // Someone who may not see the request learns nothing of it, not even that it exists.
    if (!loaded || !canSee(core, actor, loaded.row)) return 'not_found' as const;
    const { row } = loaded;
    if (!isRequesterSide(actor, row)) return 'forbidden' as const;
    const late = notPending(row, at);
    if (late) return late;
    if (!(loaded.comments ?? []).some((c) => c.role === 'reviewer')) return 'invalid_request' as const;
    await tx
      .insert(actionComments)
      .values({ id: newId('cmt'), actionId: id, author: actor.id, role: 'requester', body: comment, at });
    await record(core, tx, at, [
      { type: 'action.answered', actor: actor.id, subject: id, data: { action: row.action, comment } },
    ]);
    return undefined;
  });
  return settle(ctx, id, outcome, REFUSALS);
}
