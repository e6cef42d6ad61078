import { createHmac } from 'node:crypto';
import { canonicalAction, type DigestInput } from '@countersign/shared';
import { sha256Hex } from '../../audit/chain';

/**
 * A grant token is derived from its id with the server's secret, so the database stores only the
 * token's hash yet the server can show the token to its requester again (a long-poll that returns
 * after approval) until it is redeemed. Someone holding only the database cannot mint tokens.
 */
export function grantToken(secret: Buffer, grantId: string): string {
  return `csg_${createHmac('sha256', secret).update(`grant:${grantId}`).digest('base64url')}`;
}

// The token of a grant this process just issued, kept on the grant row object itself (a weak key, so
// it goes with the row): the answer that shows the token right after issuing it does not compute the
// HMAC a second time (≈1% of an allow's CPU). Kept with the secret and id it was made from, so a row
// rendered by a core with another secret (or whose id changed) is derived anew.
const issued = new WeakMap<object, { secret: Buffer; id: string; token: string }>();

/** Mints the token for a grant being issued, remembered for `tokenOf` on the same row object. */
export function issueToken(secret: Buffer, grant: { id: string }): string {
  const token = grantToken(secret, grant.id);
  issued.set(grant, { secret, id: grant.id, token });
  return token;
}

/** The grant's token: the one `issueToken` made for this very row, else derived from its id. */
export function tokenOf(secret: Buffer, grant: { id: string }): string {
  const known = issued.get(grant);
  return known && known.secret === secret && known.id === grant.id
    ? known.token
    : grantToken(secret, grant.id);
}

// One-shot hashing, as the audit chain does: no Hash object per call on the request path.
export { sha256Hex };

/**
 * The secret a key's webhooks are signed with, derived like grant tokens: shown once when the key is
 * made, never stored, and the same on every node that shares COUNTERSIGN_SECRET.
 */
export function webhookSecret(secret: Buffer, keyId: string): string {
  return `whsec_${createHmac('sha256', secret).update(`webhook:${keyId}`).digest('base64url')}`;
}

/** The action digest (`sha256:` of the canonical action), computed synchronously on the server. */
export const digestOf = (input: DigestInput): string => `sha256:${sha256Hex(canonicalAction(input))}`;
