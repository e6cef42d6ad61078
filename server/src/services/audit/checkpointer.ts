import { onAuditAppended } from '../../audit/emit';
import type { Core } from '../core';
import { checkpointAudit } from './checkpoint-audit';

export type CheckpointSchedule = { everyEvents: number; everyMs: number };

/**
 * Keeps signing the head: after every `everyEvents` appended events, and every `everyMs` when anything
 * was appended since. The count is heard from appends in this process (no polling); with several nodes
 * each checks the shared log's distance from the last checkpoint, so the spacing holds cluster-wide
 * within one node's share. A refusal (the tail does not verify) is logged once per distinct problem.
 */
export function startCheckpointer(core: Core, schedule: CheckpointSchedule): () => void {
  const ctx = { core, actor: { kind: 'system', id: 'system:server' } as const };
  let heard = 0;
  let running = false;
  let lastRefusal = '';
  const run = async (minEvents: number) => {
    if (running) return;
    running = true;
    try {
      const outcome = await checkpointAudit({ ctx, input: { minEvents } });
      if ('refused' in outcome) {
        if (outcome.refused !== lastRefusal)
          core.log.error({ problem: outcome.refused }, 'audit checkpoint refused');
        lastRefusal = outcome.refused;
      } else {
        lastRefusal = '';
      }
    } catch (error) {
      core.log.warn({ err: error }, 'audit checkpoint failed; retrying on the next trigger');
    } finally {
      running = false;
    }
  };
  const stopListening = onAuditAppended((count) => {
    heard += count;
    if (heard < schedule.everyEvents || running) return;
    heard = 0;
    // After the current commit: the appends we heard are in a transaction still open.
    setImmediate(() => void run(schedule.everyEvents));
  });
  const timer = setInterval(() => void run(1), schedule.everyMs);
  timer.unref();
  return () => {
    stopListening();
    clearInterval(timer);
  };
}
