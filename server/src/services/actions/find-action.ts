import type { ActionRequest } from '@countersign/shared';
import { like } from 'drizzle-orm';
import { actions } from '../../db/schema';
import { DomainError, invalid, notFound } from '../../errors';
import type { Ctx } from '../core';
import { canSee } from './access';
import { loadAction } from './rows';
import { toActionRequest } from './view';

/**
 * A request by full id or by a unique prefix, as people type them in chat: `act_01JB…`, `01jb…`.
 * Only requests the actor may see count, so a prefix never confirms someone else's request exists.
 */
const PREFIX_SCAN = 500;

export async function findAction({
  ctx,
  idOrPrefix,
}: {
  ctx: Ctx;
  idOrPrefix: string;
}): Promise<ActionRequest> {
  const { core, actor } = ctx;
  const ulid = idOrPrefix.trim().replace(/^act_/i, '').toUpperCase();
  if (!/^[0-9A-Z]{4,26}$/.test(ulid)) {
    throw invalid(`"${idOrPrefix}" is not a request id (act_… or at least its first 4 characters)`, [
      { path: 'id', message: 'not a request id' },
    ]);
  }
  const rows = await core.database.db
    .select()
    .from(actions)
    .where(like(actions.id, `act_${ulid}%`))
    .limit(PREFIX_SCAN + 1);
  // Past this many matches the prefix is too short to trust: one visible hit could hide another.
  if (rows.length > PREFIX_SCAN) {
    throw invalid(
      `"${idOrPrefix}" matches too many requests to be sure which one you mean: give more of the id`,
      [{ path: 'id', message: 'ambiguous' }],
    );
  }
  const visible = rows.filter((row) => canSee(core, actor, row));
  const [only, second] = visible;
  if (!only) throw notFound(`a request matching "${idOrPrefix}"`);
  if (second) {
    throw new DomainError(
      'invalid_request',
      `"${idOrPrefix}" matches more than one request (${visible
        .slice(0, 3)
        .map((r) => r.id)
        .join(', ')}…): give more of the id`,
    );
  }
  const loaded = await loadAction(core.database.db, only.id);
  if (!loaded) throw notFound(`a request matching "${idOrPrefix}"`);
  return toActionRequest(core, loaded, actor);
}
