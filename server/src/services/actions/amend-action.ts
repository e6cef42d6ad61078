import type { ErrorCode, ErrorDetail } from '@countersign/shared';
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../../context';
import type { Tx } from '../../db/client';
import { actions } from '../../db/schema';
import type { Core } from '../core';
import { digestOf } from '../grants/tokens';
import { record } from '../outbox/record';
import { decideStored } from './decide-submission';
import type { ActionRow } from './rows';

/**
 * Amend, then approve (issue 16): a reviewer narrows what an agent asked for (a lower row limit, a
 * narrower prefix) and approves that instead. The request's params and digest become the amended
 * ones, so the grant binds to exactly what was approved; what the requester submitted is kept beside
 * them and the audit event holds both versions and the diff. Runs inside the review's transaction.
 */

export const AMEND_REFUSALS: Partial<Record<ErrorCode, string>> = {
  amend_not_allowed: "This request's rule does not allow amendments: approve or deny it as submitted.",
  amend_too_late:
    'Someone already approved this action as submitted: it can no longer be amended (deny it and ask for a new request instead).',
};

/** Why this amendment may not be made, if it may not; checked before anything is written. */
export function amendRefusal(row: ActionRow, amend: { params: unknown } | undefined): ErrorCode | undefined {
  if (amend === undefined) return undefined;
  if (row.amendAllowed === 0) return 'amend_not_allowed';
  // Earlier approvals were given to the submitted params, not to these.
  if (row.receivedApprovals > 0) return 'amend_too_late';
  return undefined;
}

/**
 * Why the policy in force would not let this amendment be approved here, if it would not. The amended
 * action (the same action, resource, environment, requester, source and context, the amended params,
 * now) is decided exactly as a submission is: a reviewer may approve it only when the rule this request
 * is under would still hold it, or when the policy would allow it outright. Anything else (another
 * rule's approvers, a deny) is refused, or a reviewer could turn a request they may approve into one
 * only others may, or one nobody may.
 */
export function amendPolicyRefusal(
  core: Core,
  row: ActionRow,
  params: Record<string, unknown>,
): { message: string; details: ErrorDetail[]; rule: string } | undefined {
  const decision = decideStored(core, row, params);
  if (decision.effect === 'allow') return undefined;
  if (
    decision.effect === 'review' &&
    decision.rule === row.ruleName &&
    decision.conditionFailed === undefined
  )
    return undefined;
  // Held by this rule only because its condition failed on the amended params (fail closed): that
  // is not the rule's case, and approving it would let a reviewer pass what the rule cannot judge.
  const why =
    decision.conditionFailed !== undefined
      ? `the amended params could not be evaluated by rule ${decision.rule}'s condition: ${decision.conditionFailed}`
      : decision.effect === 'deny'
        ? `the amended params would be denied by rule ${decision.rule}: ${decision.reason}`
        : `the amended params would be held by rule ${decision.rule} (approvers: ${decision.approvers.join(', ')})`;
  const under =
    decision.conditionFailed !== undefined && decision.rule === row.ruleName
      ? ''
      : `, not by rule ${row.ruleName}, which this request is under`;
  return {
    message: `This amendment cannot be approved here: ${why}${under}. Approve or deny the request as submitted, or deny it and ask for a new request.`,
    details: [{ path: 'amend.params', message: why }],
    rule: decision.rule,
  };
}

type Diff = { path: string; before?: unknown; after?: unknown }[];

/** Leaf-level differences between two JSON values, by dotted path. */
export function diffParams(before: unknown, after: unknown, path = ''): Diff {
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isMap(before) && isMap(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffParams(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, ...(before !== undefined && { before }), ...(after !== undefined && { after }) }];
}

/**
 * Writes the amendment: a conditional write on the request still pending with the digest this review
 * read, so two reviewers amending at once cannot both win. Undefined when it lost that race.
 */
export async function applyAmendment(
  core: Core,
  tx: Tx,
  at: number,
  row: ActionRow,
  actor: Actor,
  params: Record<string, unknown>,
): Promise<ActionRow | undefined> {
  const digest = digestOf({
    action: row.action,
    resource: row.resource ?? undefined,
    environment: row.environment ?? undefined,
    params,
  });
  if (digest === row.digest) return row;
  const [amended] = await tx
    .update(actions)
    .set({
      params,
      digest,
      originalParams: row.originalDigest === null ? row.params : row.originalParams,
      originalDigest: row.originalDigest ?? row.digest,
      amendedBy: actor.id,
      amendedAt: at,
    })
    .where(and(eq(actions.id, row.id), eq(actions.status, 'pending'), eq(actions.digest, row.digest)))
    .returning();
  if (!amended) return undefined;
  await record(core, tx, at, [
    {
      type: 'action.amended',
      actor: actor.id,
      subject: row.id,
      data: {
        action: row.action,
        before: { params: row.params, digest: row.digest },
        after: { params, digest },
        diff: diffParams(row.params ?? {}, params),
      },
    },
  ]);
  return amended;
}
