import { createHash } from 'node:crypto';
import { canonicalJson } from '@countersign/shared';

export { canonicalJson };

/** The hash the first event links back to. */
export const GENESIS_HASH = '0'.repeat(64);

export type ChainedFields = {
  seq: number;
  at: string;
  type: string;
  actor: string;
  subject: string | null;
  data: Record<string, unknown>;
};

/**
 * An event's hash covers the previous event's hash and the event's own canonical JSON — its
 * sequence number included, so moving a row breaks the chain as surely as editing it.
 */
export function chainHash(prevHash: string, event: ChainedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(event)).digest('hex');
}
