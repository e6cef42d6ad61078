import { and, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../../audit/emit';
import type { Tx } from '../../db/client';
import { type StepUpEvidence, stepUps } from '../../db/schema';
import { DomainError } from '../../errors';
import type { Core } from '../core';
import { STEP_UP_MAX_AGE_MS } from './settings';

export type PendingStepUp = typeof stepUps.$inferSelect;

/**
 * A step-up this person started and has not finished, started within the last five minutes; anyone
 * else's, or one already verified, is not found (the same answer either way: no probing).
 */
export async function pendingStepUp(
  core: Core,
  tx: Tx,
  id: string,
  person: string,
  method: 'mfa' | 'passkey',
): Promise<PendingStepUp | undefined> {
  const [row] = await tx
    .select()
    .from(stepUps)
    .where(
      and(
        eq(stepUps.id, id),
        eq(stepUps.person, person),
        eq(stepUps.method, method),
        isNull(stepUps.verifiedAt),
      ),
    )
    .limit(1);
  return row && row.startedAt >= core.now() - STEP_UP_MAX_AGE_MS ? row : undefined;
}

/** Marks a step-up verified with what it showed, audited in the same transaction. */
export async function markVerified(
  tx: Tx,
  at: number,
  row: PendingStepUp,
  evidence: StepUpEvidence,
): Promise<void> {
  await tx.update(stepUps).set({ verifiedAt: at, evidence }).where(eq(stepUps.id, row.id));
  await appendAudit(tx, at, [
    {
      type: 'step_up.verified',
      actor: `user:${row.person}`,
      subject: row.actionId,
      // The purpose too: a break-glass's step-up reads as one in the log, not as an approval's.
      data: { stepUp: row.id, purpose: row.purpose, ...evidence },
    },
  ]);
}

/** A refused step-up: audited (who, which request, why), then refused in the core's words. */
export async function refuseStepUp(
  tx: Tx,
  at: number,
  who: { person: string; actionId: string | null; stepUp: string; method: string },
  reason: string,
): Promise<{ refused: string }> {
  await appendAudit(tx, at, [
    {
      type: 'step_up.refused',
      actor: `user:${who.person}`,
      subject: who.actionId,
      data: { stepUp: who.stepUp, method: who.method, reason },
    },
  ]);
  return { refused: reason };
}

export const stepUpFailed = (message: string) => new DomainError('step_up_required', message);
