import { AuditCheckpoint } from '@countersign/shared';
import { GENESIS_HASH } from '../../audit/chain';
import { type CheckpointKey, checkpointProblem } from '../../audit/checkpoint-key';
import type { Anchor } from '../../audit/verify';
import { invalid } from '../../errors';

const BARE = /^(\d{1,15})[:.]([0-9a-f]{64})$/;

/** Whether `text` is a bare `<seq>:<hash>` head, given inline rather than as a file or URL to read. */
export const isBareAnchor = (text: string): boolean => BARE.test(text.trim());

function decode(text: string): unknown {
  const trimmed = text.trim();
  // A checkpoint as printed (JSON), or the same JSON base64url-encoded so it fits in a query string.
  const json = trimmed.startsWith('{') ? trimmed : Buffer.from(trimmed, 'base64url').toString('utf8');
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/**
 * Reads the head a verification must find: a signed checkpoint (JSON, or base64url of it), whose
 * signature must be this install's, or a bare `<seq>:<hash>` the caller kept themselves and vouches for.
 */
export function parseAnchor(text: string, key: CheckpointKey, path: string): Anchor {
  const refuse = (message: string) => invalid(`${path}: ${message}`, [{ path, message }]);
  const bare = BARE.exec(text.trim());
  if (bare) {
    const seq = Number(bare[1]);
    const head = bare[2] ?? '';
    if (seq === 0 && head !== GENESIS_HASH) throw refuse('seq 0 is the genesis, whose hash is all zeros');
    return { seq, head };
  }
  const parsed = AuditCheckpoint.safeParse(decode(text));
  if (!parsed.success) {
    throw refuse(
      'not a checkpoint: give the JSON `countersign audit checkpoint` printed, base64url of it, or <seq>:<hash>',
    );
  }
  const problem = checkpointProblem(key, parsed.data);
  if (problem) throw refuse(`this checkpoint cannot be trusted: ${problem}`);
  return { seq: parsed.data.seq, head: parsed.data.head };
}
