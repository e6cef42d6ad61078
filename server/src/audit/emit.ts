import type { AuditEventType } from '@countersign/shared';
import { desc } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { auditEvents } from '../db/schema';
import { hotOf } from '../db/write-queue';
import { canonicalJson, chainHashOfData, GENESIS_HASH } from './chain';

// The chain head as of each open transaction's last append. Keyed by the transaction object, so
// it is forgotten with it; a rolled-back transaction's entry is never read again.
const heads = new WeakMap<object, AuditHead>();

/** The newest event: its seq, hash and time (`at` undefined for an empty log). */
export type AuditHead = { seq: number; hash: string; at?: string | undefined };

/**
 * The time an event after `head` is written with: `at`, or the head's when `at` is earlier. A time
 * taken before the write (a policy file's read) can be older than an event another writer appended
 * meanwhile, and auditors sort by time. Every stored `at` is a toISOString, fixed width, so the text
 * order is the time order.
 */
export function eventTime(head: AuditHead, at: number): string {
  const iso = new Date(at).toISOString();
  return head.at !== undefined && head.at > iso ? head.at : iso;
}

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
  const head = await readAuditHead(tx);
  let { seq, hash: prevHash } = head;
  const iso = eventTime(head, at);
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
  if ('rollback' in tx) heads.set(tx, { seq, hash: prevHash, at: iso });
  for (const listener of listeners) listener(rows.length);
}

/** The newest event's seq, hash and time as `tx` sees it ({0, genesis} for an empty log). */
export async function readAuditHead(tx: Queryable): Promise<AuditHead> {
  // Within one transaction the head only moves by our own appends: read it once, then carry it.
  const known = heads.get(tx);
  if (known) return known;
  const hot = hotOf(tx);
  if (hot) return hot.auditHead() ?? { seq: 0, hash: GENESIS_HASH };
  const [row] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash, at: auditEvents.at })
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
