import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { eq } from 'drizzle-orm';
import { passkeys, type StepUpPurpose, stepUps } from '../../db/schema';
import { DomainError, forbidden, notFound } from '../../errors';
import { newId } from '../../ids';
import { isEligibleApprover, isRequesterSide } from '../actions/access';
import { effectiveStatus, loadAction } from '../actions/rows';
import type { Ctx } from '../core';
import { relyingParty } from './settings';

export type StartedStepUp = {
  id: string;
  method: 'mfa' | 'passkey';
  purpose: StepUpPurpose;
  startedAt: number;
  /** For a passkey: what the browser passes to navigator.credentials.get(). */
  options?: PublicKeyCredentialRequestOptionsJSON;
};

/**
 * The Approve click on a request whose rule asks for a step-up, in the console: records when it
 * happened (a fresh IdP sign-in must come after it) and, for a passkey, the challenge to sign. Whether
 * the person may approve at all is checked here so no one is sent to their IdP for nothing, and again
 * by the review verb, which alone decides.
 *
 * Breaking the glass of such a request is the other purpose: then it is the requester's side (the
 * person who asked, or the agent's owner) who steps up, only while the request is pending under a
 * rule that allows break-glass, and `comment` carries the reason; the break-glass verb decides.
 */
export async function startStepUp({
  ctx,
  id,
  comment,
  purpose = 'approve',
}: {
  ctx: Ctx;
  id: string;
  comment?: string | undefined;
  purpose?: StepUpPurpose;
}): Promise<StartedStepUp> {
  const { core, actor } = ctx;
  if (actor.kind !== 'person' || actor.via !== 'console')
    throw forbidden('A step-up is made by a person signed in to the console.');
  const loaded = await loadAction(core.database.db, id);
  if (!loaded) throw notFound(`action request ${id}`);
  const { row } = loaded;
  const at = core.now();
  if (purpose === 'break_glass') {
    if (!isRequesterSide(actor, row))
      throw forbidden('Only the requester, or the agent’s owner, may break the glass on a request.');
    if (row.breakGlassNotify === null || row.breakGlassReviewMs === null)
      throw forbidden("This request's rule does not allow break-glass: it needs an approver's review.");
  } else if (isRequesterSide(actor, row))
    throw new DomainError(
      'self_approval',
      'No one may review their own request, nor a request of an agent they own.',
    );
  else if (!isEligibleApprover(core, actor, row))
    throw new DomainError(
      'not_an_approver',
      'Only members of the approver groups of this request may review it.',
    );
  if (effectiveStatus(row, at) !== 'pending')
    throw new DomainError('not_pending', 'This request has already been decided.');
  const method = row.stepUp;
  if (method !== 'mfa' && method !== 'passkey')
    throw new DomainError(
      'invalid_request',
      purpose === 'approve'
        ? 'This request needs no step-up; approve it directly.'
        : 'This request needs no step-up; break its glass directly.',
    );

  let options: PublicKeyCredentialRequestOptionsJSON | undefined;
  if (method === 'passkey') {
    const rp = relyingParty(core.stepUp);
    if (!rp) throw new DomainError('unavailable', 'Passkeys need COUNTERSIGN_PUBLIC_URL to be set.');
    const mine = await core.database.db.select().from(passkeys).where(eq(passkeys.email, actor.email));
    if (mine.length === 0)
      throw new DomainError(
        'step_up_required',
        `${purpose === 'approve' ? 'This approval' : 'Breaking this glass'} needs a passkey, and you have none: add one on the Security page first.`,
      );
    options = await generateAuthenticationOptions({
      rpID: rp.rpId,
      userVerification: 'required',
      allowCredentials: mine.map((p) => ({ id: p.id, transports: p.transports })),
      timeout: 120_000,
    });
  }
  const stepUpId = newId('stp');
  await core.writes.run(async (tx) => {
    await tx.insert(stepUps).values({
      id: stepUpId,
      person: actor.email,
      actionId: id,
      method,
      purpose,
      startedAt: at,
      challenge: options?.challenge ?? null,
      comment: comment?.trim() || null,
    });
  });
  return { id: stepUpId, method, purpose, startedAt: at, ...(options && { options }) };
}
