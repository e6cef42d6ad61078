import type { AuditEventType } from '@countersign/shared';
import { desc } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { auditEvents } from '../db/schema';
import { canonicalJson, chainHash, GENESIS_HASH } from './chain';

export type AuditInput = {
  type: AuditEventType;
  actor: string;
  subject?: string | null;
  data?: Record<string, unknown>;
};

/**
 * Appends events to the chain. Call it inside the transaction that makes the change it records:
 * the event and the change commit together or not at all.
 */
export async function appendAudit(tx: Queryable, at: number, events: AuditInput[]): Promise<void> {
  const [head] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const iso = new Date(at).toISOString();
  const rows = events.map((event) => {
    seq += 1;
    const fields = {
      seq,
      at: iso,
      type: event.type,
      actor: event.actor,
      subject: event.subject ?? null,
      data: event.data ?? {},
    };
    const hash = chainHash(prevHash, fields);
    const row = { ...fields, data: canonicalJson(fields.data), prevHash, hash };
    prevHash = hash;
    return row;
  });
  if (rows.length > 0) await tx.insert(auditEvents).values(rows);
}
