import type { ActionRequest, ErrorCode } from '@countersign/shared';
import { type Actor, hasScope } from '../../context';
import { actionComments } from '../../db/schema';
import { DomainError, notFound } from '../../errors';
import { newId } from '../../ids';
import type { Ctx } from '../core';
import { isDeprovisioned } from '../identity/deprovisioned';
import { record } from '../outbox/record';
import { isEligibleApprover, isRequesterSide } from './access';
import { effectiveStatus, loadAction } from './rows';
import { toActionRequest } from './view';

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
    if (isRequesterSide(actor, row)) return 'self_approval' as const;
    if (actor.kind !== 'person' || !hasScope(actor, 'reviews:write')) return 'forbidden' as const;
    if (await isDeprovisioned(tx, actor.email)) return 'identity_unusable' as const;
    if (!isEligibleApprover(core, actor, row)) return 'not_an_approver' as const;
    const status = effectiveStatus(row, at);
    if (status === 'expired') return 'expired' as const;
    if (status !== 'pending') return 'not_pending' as const;
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
  if (outcome === 'not_found') throw notFound(`action request ${id}`);
  if (outcome) throw new DomainError(outcome, REFUSALS[outcome] ?? outcome);
  core.events.changed(id);
  const loaded = await loadAction(core.database.db, id);
  if (!loaded) throw notFound(`action request ${id}`);
  return toActionRequest(core, loaded, actor);
}
