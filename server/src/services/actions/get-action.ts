import type { ActionRequest } from '@countersign/shared';
import { DomainError, notFound } from '../../errors';
import type { Ctx } from '../core';
import { credentialHolds } from '../keys/authenticate';
import { canSee } from './access';
import { effectiveStatus, loadAction } from './rows';
import { toActionRequest } from './view';

export const MAX_WAIT_SECONDS = 60;

/**
 * One request. With `waitSeconds`, answers as soon as it leaves `pending` (woken by the in-process
 * change event, not a polling loop — on several nodes, the node's one change feed raises it for
 * decisions made elsewhere: services/change-feed.ts), at its expiry, after the wait, or when the server
 * shuts down, whichever comes first.
 */
export async function getAction({
  ctx,
  id,
  waitSeconds = 0,
  signal,
}: {
  ctx: Ctx;
  id: string;
  waitSeconds?: number;
  signal?: AbortSignal | undefined;
}): Promise<ActionRequest> {
  const { core, actor } = ctx;
  const db = core.database.db;
  // Listening before the first read means a change landing during that read is not missed, without
  // a second read for every waiter (a thousand long-polls arriving would each pay one).
  let changedEarly = false;
  const early = waitSeconds > 0 ? core.events.on(id, () => (changedEarly = true)) : () => undefined;
  const first = await loadAction(db, id).catch((error: unknown) => {
    early();
    throw error;
  });
  if (!first || !canSee(core, actor, first.row)) {
    early();
    throw notFound(`action request ${id}`);
  }
  if (waitSeconds <= 0 || core.events.draining || effectiveStatus(first.row, core.now()) !== 'pending') {
    early();
    return toActionRequest(core, first, actor);
  }

  await new Promise<void>((resolve) => {
    const deadline = Math.min(waitSeconds, MAX_WAIT_SECONDS) * 1000;
    const untilExpiry = (first.row.expiresAt ?? Number.POSITIVE_INFINITY) - core.now();
    const cleanups: Array<() => void> = [];
    const done = () => {
      for (const cleanup of cleanups) cleanup();
      resolve();
    };
    // A change is not always a decision (the first of two approvals): re-read and keep waiting.
    const check = () => {
      loadAction(db, id)
        .then((now) => {
          // A question or an answer is news to a waiting requester too (the SDK's onQuestion).
          const talked = (now?.comments?.length ?? 0) !== (first.comments?.length ?? 0);
          if (now?.row.status !== 'pending' || talked) done();
        })
        .catch(() => undefined);
    };
    cleanups.push(core.events.on(id, (_, settled) => (settled ? done() : check())));
    // Shutting down: answer now rather than have the connection cut (ActionEvents.drain).
    cleanups.push(core.events.onDrain(done));
    early();
    const timer = setTimeout(done, Math.max(0, Math.min(deadline, untilExpiry)));
    cleanups.push(() => clearTimeout(timer));
    if (signal) {
      signal.addEventListener('abort', done, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', done));
    }
    if (changedEarly) check();
  });

  // The caller was let in up to a minute ago: a key revoked or expired, or a person deprovisioned,
  // meanwhile gets no answer (it may carry a grant token), on whichever node the revocation was made.
  if (!(await credentialHolds(core, actor)))
    throw new DomainError('unauthenticated', 'the API key was revoked or expired while the request waited');
  const latest = await loadAction(db, id);
  if (!latest) throw notFound(`action request ${id}`);
  return toActionRequest(core, latest, actor);
}
