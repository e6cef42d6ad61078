import type { AuditVerification } from '@countersign/shared';
import { asc, gt } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { auditEvents } from '../db/schema';
import { chainHash, GENESIS_HASH } from './chain';

const PAGE = 2_000;

/**
 * Recomputes the whole chain. Any edited, deleted, inserted or reordered row shows up as the first
 * sequence number whose link or hash does not hold. Truncating the tail cannot be seen from inside
 * the log: keep the `head` this returns somewhere else to catch that.
 */
export async function verifyAudit(db: Queryable): Promise<AuditVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, expectedSeq - 1))
      .orderBy(asc(auditEvents.seq))
      .limit(PAGE);
    for (const row of rows) {
      const bad = (problem: string): AuditVerification => ({
        ok: false,
        events: count,
        head: count > 0 ? prevHash : null,
        firstBadSeq: expectedSeq,
        problem,
      });
      if (row.seq !== expectedSeq) return bad(`event ${expectedSeq} is missing (next is ${row.seq})`);
      if (row.prevHash !== prevHash) return bad(`event ${row.seq} does not link to event ${row.seq - 1}`);
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(row.data) as Record<string, unknown>;
      } catch {
        return bad(`event ${row.seq} has unreadable data`);
      }
      const fields = {
        seq: row.seq,
        at: row.at,
        type: row.type,
        actor: row.actor,
        subject: row.subject,
        data,
      };
      if (chainHash(prevHash, fields) !== row.hash) return bad(`event ${row.seq} was altered`);
      prevHash = row.hash;
      expectedSeq += 1;
      count += 1;
    }
    if (rows.length < PAGE) break;
  }
  return { ok: true, events: count, head: count > 0 ? prevHash : null };
}
