import type { ActionRequest, ErrorCode } from '@countersign/shared';
import type { Actor } from '../../context';
import { actionComments } from '../../db/schema';
import { newId } from '../../ids';
import type { Ctx } from '../core';
import { record } from '../outbox/record';
import { reviewerRefusal } from './access';
import { loadAction, notPending } from './rows';
import { settle } from './settle';

const REFUSALS: Partial<Record<ErrorCode, string>> = {
  forbidden: 'Asking needs a person acting with the reviews:write scope.',
  self_approval: 'No one may review their own request, nor a request of an agent they own.',
  not_an_approver: 'Only members of the approver groups of this request may ask about it.',
  identity_unusable: 'The identity provider has deactivated your account; you can no longer review.',
  not_pending: 'This request has already been decided.',
  expired: 'This request expired before it was decided.',
};

const viaOf = (actor: Actor): string => (actor.kind === 'person' ? actor.via : 'api');

/**
 * Ask before deciding (issue 16): an approver asks the requester a question instead of deciding. The
 * request stays pending; the question is on the request (`comments`), audited (`action.question`)
 * and delivered to chat, where Slack threads it to the requester's owner. Who may ask is who may
 * review; nothing about the quorum changes.
 */
export async function askQuestion({
  ctx,
  id,
  comment,
}: {
  ctx: Ctx;
  id: string;
  comment: string;
}): Promise<ActionRequest> {
  const { core, actor } = ctx;
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const loaded = await loadAction(tx, id);
    if (!loaded) return 'not_found' as const;
    const { row } = loaded;
    const refused = await reviewerRefusal(core, tx, actor, row);
    if (refused) return refused;
    const late = notPending(row, at);
    if (late) return late;
    await tx
      .insert(actionComments)
      .values({ id: newId('cmt'), actionId: id, author: actor.id, role: 'reviewer', body: comment, at });
    await record(core, tx, at, [
      {
        type: 'action.question',
        actor: actor.id,
        subject: id,
        data: { action: row.action, comment, via: viaOf(actor) },
      },
    ]);
    return undefined;
  });
  return settle(ctx, id, outcome, REFUSALS);
}
