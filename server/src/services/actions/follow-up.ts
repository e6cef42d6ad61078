import type { ActionRequest, ErrorCode, FollowUpInput } from '@countersign/shared';
import { and, eq } from 'drizzle-orm';
import { hasScope } from '../../context';
import { actions } from '../../db/schema';
import { DomainError, notFound } from '../../errors';
import type { Ctx } from '../core';
import { isDeprovisioned } from '../identity/deprovisioned';
import { record } from '../outbox/record';
import { isEligibleApprover, isRequesterSide } from './access';
import { loadAction } from './rows';
import { toActionRequest } from './view';

const REFUSALS: Partial<Record<ErrorCode, string>> = {
  forbidden: 'Reviewing a break-glass needs a person acting with the reviews:write scope.',
  self_approval: 'No one may review their own break-glass, nor one of an agent they own.',
  not_an_approver: 'Only members of the approver groups of this request may review its break-glass.',
  identity_unusable: 'The identity provider has deactivated your account; you can no longer review.',
  not_pending:
    'This break-glass has no open follow-up review (none was broken, or it is signed off or flagged).',
};

/**
 * The follow-up review of a break-glass: one approver of the request signs it off or flags it (with a
 * comment), once; the request then leaves every approver's queue. Audited as `action.follow_up`.
 */
export async function followUp({
  ctx,
  id,
  input,
}: {
  ctx: Ctx;
  id: string;
  input: FollowUpInput;
}): Promise<ActionRequest> {
  const { core, actor } = ctx;
  const comment = input.comment?.trim();
  const status = input.decision === 'sign_off' ? 'signed_off' : 'flagged';
  const outcome = await core.writes.run(async (tx) => {
    const at = core.now();
    const loaded = await loadAction(tx, id);
    if (!loaded) return 'not_found' as const;
    const { row } = loaded;
    if (isRequesterSide(actor, row)) return 'self_approval' as const;
    if (actor.kind !== 'person' || !hasScope(actor, 'reviews:write')) return 'forbidden' as const;
    if (await isDeprovisioned(tx, actor.email)) return 'identity_unusable' as const;
    if (!isEligibleApprover(core, actor, row)) return 'not_an_approver' as const;
    const [done] = await tx
      .update(actions)
      .set({ followUpStatus: status, followUpBy: actor.id, followUpAt: at, followUpComment: comment ?? null })
      .where(and(eq(actions.id, id), eq(actions.followUpStatus, 'open')))
      .returning({ id: actions.id });
    if (!done) return 'not_pending' as const;
    await record(core, tx, at, [
      {
        type: 'action.follow_up',
        actor: actor.id,
        subject: id,
        data: {
          action: row.action,
          decision: status,
          comment: comment ?? null,
          breakGlassBy: row.breakGlassBy,
        },
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
