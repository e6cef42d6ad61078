import type { AuditEventType } from '@countersign/shared';
import { desc } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { auditEvents } from '../db/schema';
import { hotOf } from '../db/write-queue';
import { canonicalJson, chainHashOfData, GENESIS_HASH } from './chain';

// The chain head as of each open transaction's last append. Keyed by the transaction object, so
// it is forgotten with it; a rolled-back transaction's entry is never read again.
const heads = new WeakMap<object, { seq: number; hash: string }>();

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
  if (events.length === 0) return;
  let { seq, hash: prevHash } = await readAuditHead(tx);
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
    // The data's canonical JSON is both what the row stores and part of what the hash covers.
    const data = canonicalJson(fields.data);
    const hash = chainHashOfData(prevHash, fields, data);
    const row = { ...fields, data, prevHash, hash };
    prevHash = hash;
    return row;
  });
  const hot = hotOf(tx);
  if (hot) hot.insertAudit(rows);
  else await tx.insert(auditEvents).values(rows);
  if ('rollback' in tx) heads.set(tx, { seq, hash: prevHash });
  for (const listener of listeners) listener(rows.length);
}

/** The newest event's seq and hash as `tx` sees it ({0, genesis} for an empty log). */
export async function readAuditHead(tx: Queryable): Promise<{ seq: number; hash: string }> {
  // Within one transaction the head only moves by our own appends: read it once, then carry it.
  const known = heads.get(tx);
  if (known) return known;
  const hot = hotOf(tx);
  if (hot) return hot.auditHead() ?? { seq: 0, hash: GENESIS_HASH };
  const [row] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return row ?? { seq: 0, hash: GENESIS_HASH };
}

const listeners = new Set<(count: number) => void>();

/**
 * Hears how many events were appended (not yet committed): the checkpointer counts them to know when
 * to sign the head again, without a timer polling the database.
 */
export function onAuditAppended(listener: (count: number) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
