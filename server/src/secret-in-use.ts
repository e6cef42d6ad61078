import { latestCheckpoint } from './audit/checkpoint';
import { checkpointKeyOf } from './audit/checkpoint-key';
import type { Queryable } from './db/client';

// What countersign.secret holds: 32 random bytes written as 64 hex digits.
const HEX_SECRET = /^[0-9a-f]{64}$/i;

/**
 * The secret this install runs with. COUNTERSIGN_SECRET is read as text, which `resolveSecret` keeps
 * for every install that set it that way. But its value may be a copy of countersign.secret (what a
 * restore from backup needs: `COUNTERSIGN_SECRET=$(cat countersign.secret)`), and that file means the
 * 32 bytes its hex spells. For a value of exactly 64 hex digits, both readings are possible; the
 * install's own signed checkpoints say which one it was made with. The hex reading wins only when the
 * newest checkpoint verifies under the key derived from it, which nobody can forge without that key;
 * otherwise the text reading stays (an install set up with a hex-looking text value, a new database).
 */
export async function secretInUse(
  db: Queryable,
  configured: string | undefined,
  resolved: Buffer,
): Promise<Buffer> {
  if (configured === undefined || !HEX_SECRET.test(configured)) return resolved;
  const asFile = Buffer.from(configured, 'hex');
  const { latest } = await latestCheckpoint(db, checkpointKeyOf(asFile));
  return latest ? asFile : resolved;
}
