import type { Core } from '../core';
import { loadAction } from './rows';

/** What a reviewer may do besides approving a request as submitted (issue 16). */
export type ReviewOptions = { amend: boolean; standing?: { maxMs: number; uses: number } };

/**
 * Whether the request's rule allows amending it now, and its standing-approval limits: what a
 * transport offers. Only an offer: the review verb checks every one of these again when used.
 * Undefined for an unknown request.
 */
export async function reviewOptions(core: Core, id: string): Promise<ReviewOptions | undefined> {
  const row = (await loadAction(core.database.db, id))?.row;
  if (!row) return undefined;
  // Limits were copied to the request at submission; a quorum takes no standing approvals.
  const standing =
    row.standingMaxMs !== null && row.standingUses !== null && row.requiredApprovals === 1
      ? { maxMs: row.standingMaxMs, uses: row.standingUses }
      : undefined;
  // Earlier approvals were given to the submitted params, so amending after them is refused.
  return { amend: row.amendAllowed !== 0 && row.receivedApprovals === 0, ...(standing && { standing }) };
}
