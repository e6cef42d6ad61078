import type { ActionRequest, ErrorCode } from '@countersign/shared';
import { DomainError, notFound } from '../../errors';
import type { Ctx } from '../core';
import { loadAction } from './rows';
import { toActionRequest } from './view';

/**
 * The end of a verb on one request, once its transaction has run: a refusal becomes its error (an
 * unseen request is only "not found", nothing more), otherwise watchers are told it changed
 * (`settled` when it was decided) and the request is read back as the actor may see it.
 */
export async function settle(
  ctx: Ctx,
  id: string,
  outcome: ErrorCode | 'not_found' | undefined,
  refusals: Partial<Record<ErrorCode, string>>,
  settled = false,
): Promise<ActionRequest> {
  const { core, actor } = ctx;
  if (outcome === 'not_found') throw notFound(`action request ${id}`);
  if (outcome) throw new DomainError(outcome, refusals[outcome] ?? outcome);
  core.events.changed(id, settled);
  const loaded = await loadAction(core.database.db, id);
  if (!loaded) throw notFound(`action request ${id}`);
  return toActionRequest(core, loaded, actor);
}
