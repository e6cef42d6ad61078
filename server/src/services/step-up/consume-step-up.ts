import { and, eq, gte, isNotNull, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { type StepUpEvidence, stepUps } from '../../db/schema';
import { DomainError } from '../../errors';
import type { Core } from '../core';
import { STEP_UP_MAX_AGE_MS, stepUpUrl } from './settings';

const HOW = { mfa: 'a fresh sign-in with MFA', passkey: 'your passkey' } as const;

/**
 * Spends a verified step-up on one approval: a conditional write, so it counts once however many
 * clicks race. It counts only for the person and request it was made for, with the method the rule
 * asks for, within five minutes of being verified; anything else is no step-up at all.
 */
export async function consumeStepUp(
  tx: Queryable,
  at: number,
  wanted: { id: string | undefined; person: string; actionId: string; method: 'mfa' | 'passkey' },
): Promise<{ evidence: StepUpEvidence } | { refused: true }> {
  if (!wanted.id) return { refused: true };
  const [spent] = await tx
    .update(stepUps)
    .set({ usedAt: at })
    .where(
      and(
        eq(stepUps.id, wanted.id),
        eq(stepUps.person, wanted.person),
        eq(stepUps.actionId, wanted.actionId),
        eq(stepUps.method, wanted.method),
        isNull(stepUps.usedAt),
        isNotNull(stepUps.verifiedAt),
        gte(stepUps.verifiedAt, at - STEP_UP_MAX_AGE_MS),
      ),
    )
    .returning({ evidence: stepUps.evidence });
  return spent?.evidence ? { evidence: spent.evidence } : { refused: true };
}

/** The refusal every transport shows: what is needed, and where to finish it (`details[0].url`). */
export function stepUpRefusal(core: Core, actionId: string, method?: 'mfa' | 'passkey'): DomainError {
  const url = stepUpUrl(core.stepUp, actionId);
  const how = method ? HOW[method] : 'a fresh step-up (MFA or a passkey)';
  return new DomainError(
    'step_up_required',
    `Approving this request needs ${how}: finish it in the Countersign console at ${url}`,
    [{ path: 'url', message: url, url }],
  );
}
