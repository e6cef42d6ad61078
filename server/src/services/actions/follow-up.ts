import type { ActionRequest, ErrorCode, FollowUpInput } from '@countersign/shared';
import { and, eq } from 'drizzle-orm';
import { actions } from '../../db/schema';
import type { Ctx } from '../core';
import { record } from '../outbox/record';
import { reviewerRefusal } from './access';
import { loadAction } from './rows';
import { settle } from './settle';

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
    const refused = await reviewerRefusal(core, tx, actor, row);
    if (refused) return refused;
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
  return settle(ctx, id, outcome, REFUSALS);
}
