import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { uniqueConflict } from '../src/http/errors';

// Between nodes sharing one libSQL server, only the unique indexes see a race's loser. Produce the
// real errors libSQL raises for those indexes and check they map to the contract's conflicts.
describe('unique-index races between nodes', () => {
  it('map to already_reviewed and idempotency_mismatch, and nothing else does', async () => {
    const db = createClient({ url: ':memory:' });
    await db.execute('CREATE TABLE reviews (action_id TEXT, reviewer TEXT)');
    await db.execute('CREATE UNIQUE INDEX one ON reviews (action_id, reviewer)');
    await db.execute('CREATE TABLE actions (requester_id TEXT, idempotency_key TEXT)');
    await db.execute('CREATE UNIQUE INDEX idem ON actions (requester_id, idempotency_key)');
    const failure = async (sql: string) => {
      try {
        await db.execute(sql);
        await db.execute(sql);
      } catch (error) {
        return new Error('Failed query', { cause: error });
      }
      throw new Error('no conflict');
    };
    expect(uniqueConflict(await failure("INSERT INTO reviews VALUES ('act_1', 'user:a')"))).toBe(
      'already_reviewed',
    );
    expect(uniqueConflict(await failure("INSERT INTO actions VALUES ('agent:x', 'k1')"))).toBe(
      'idempotency_mismatch',
    );
    expect(uniqueConflict(new Error('disk I/O error'))).toBeUndefined();
    db.close();
  });
});
