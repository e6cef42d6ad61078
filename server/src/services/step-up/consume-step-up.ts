import { and, eq, gte, isNotNull, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client';
import { type StepUpEvidence, type StepUpPurpose, stepUps } from '../../db/schema';
import { DomainError } from '../../errors';
import type { Core } from '../core';
import { STEP_UP_MAX_AGE_MS, stepUpUrl } from './settings';

const HOW = { mfa: 'a fresh sign-in with MFA', passkey: 'your passkey' } as const;

/**
 * Spends a verified step-up on one approval: a conditional write, so it counts once however many
 * clicks race. It counts only for the person, request and purpose (approve, or break the glass) it
 * was made for, with the method the rule asks for, within five minutes of being verified; anything
 * else is no step-up at all. Approving's purpose is the default: a proof made to break the glass is
 * never an approval, nor one made to approve a break-glass.
 */
export async function consumeStepUp(
  tx: Queryable,
  at: number,
  wanted: {
    id: string | undefined;
    person: string;
    actionId: string;
    method: 'mfa' | 'passkey';
    purpose?: StepUpPurpose;
  },
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
        eq(stepUps.purpose, wanted.purpose ?? 'approve'),
        isNull(stepUps.usedAt),
        isNotNull(stepUps.verifiedAt),
        gte(stepUps.verifiedAt, at - STEP_UP_MAX_AGE_MS),
      ),
    )
    .returning({ evidence: stepUps.evidence });
  return spent?.evidence ? { evidence: spent.evidence } : { refused: true };
}

/** The refusal every transport shows: what is needed, and where to finish it (`details[0].url`). */
export function stepUpRefusal(
  core: Core,
  actionId: string,
  method?: 'mfa' | 'passkey',
  purpose: StepUpPurpose = 'approve',
): DomainError {
  const url = stepUpUrl(core.stepUp, actionId, purpose);
  const how = method ? HOW[method] : 'a fresh step-up (MFA or a passkey)';
  const what = purpose === 'approve' ? 'Approving this request' : "Breaking this request's glass";
  const who = purpose === 'approve' ? '' : ' by the agent’s owner or the person who asked';
  return new DomainError(
    'step_up_required',
    `${what} needs ${how}${who}: finish it in the Countersign console at ${url}`,
    [{ path: 'url', message: url, url }],
  );
}
