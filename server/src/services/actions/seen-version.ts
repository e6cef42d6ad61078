import type { ErrorDetail } from '@countersign/shared';
import type { ActionRow } from './rows';

/**
 * Why a review made on `seen` (the digest of the version its reviewer was shown) may not count, if it
 * may not. An amendment changes a pending request's params and digest; a reviewer who opened the
 * request before it (a console page, a Slack message, a Teams card) would otherwise approve what
 * another reviewer rewrote, and make up its quorum without ever seeing it. Without `seen` (an API
 * client that predates the field, the `/approvals approve` command) nothing is checked here.
 */
export function staleVersion(
  row: ActionRow,
  seen: string | undefined,
): { message: string; details: ErrorDetail[] } | undefined {
  if (seen === undefined || seen === row.digest) return undefined;
  const amended =
    row.amendedAt !== null && row.amendedBy !== null
      ? `was amended at ${new Date(row.amendedAt).toISOString()} by ${row.amendedBy}`
      : 'has changed';
  return {
    message: `This request ${amended} after the version you decided on; nothing was recorded. Look at it again and decide on what it asks now.`,
    details: [{ path: 'digest', message: `the request's digest is now ${row.digest}, not ${seen}` }],
  };
}
