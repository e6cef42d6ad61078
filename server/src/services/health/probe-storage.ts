import { readinessProbe } from '../../db/schema';
import type { Core } from '../core';

/**
 * Readiness is "a write can commit", not "a SELECT answers": a full disk, a read-only file or a
 * deleted database still answer reads. One tiny upsert through the write queue (so it also meets the
 * file-identity check every commit meets); it throws what a real write would throw.
 */
export async function probeStorage(core: Core): Promise<void> {
  const at = core.now();
  await core.writes.run((tx) =>
    tx
      .insert(readinessProbe)
      .values({ id: 1, node: core.nodeId, at })
      .onConflictDoUpdate({ target: readinessProbe.id, set: { node: core.nodeId, at } }),
  );
}
