import { asc, gt, sql } from 'drizzle-orm';
import { auditEvents } from '../db/schema';
import type { Core } from './core';

/** How often the feed looks while long-polls wait here, and while none does (outbox nudges only). */
const ACTIVE_MS = 25;
const IDLE_MS = 500;
const AFTER_ERROR_MS = 1_000;
const BATCH = 1_000;
// Written in the same transaction as the status change: once read, the request is no longer pending.
const SETTLING = new Set(['action.approved', 'action.denied', 'action.expired', 'action.cancelled']);

/**
 * One reader per node of what every node changed. Nodes sharing a libSQL server raise no events in
 * each other's processes, so this loop reads the audit log past a cursor — the audit `seq` grows in
 * commit order, and every change to a request writes an audit event in its own transaction — and
 * raises the local change event for each request named. Long-polls and outbox deliverers wake on that
 * event as they do for a local change, so the database sees one query per tick however many wait.
 *
 * A local file has one writer process, which raises its own events: no feed needed there.
 */
export class ChangeFeed {
  readonly #core: Core;
  #cursor = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #failing = false;

  constructor(core: Core) {
    this.#core = core;
  }

  start(): void {
    if (this.#core.database.isLocal) return;
    void this.#begin();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #begin(): Promise<void> {
    // Changes from before this node started concern no one waiting here.
    const db = this.#core.database.db;
    try {
      const [last] = await db.select({ seq: sql<number | null>`MAX(${auditEvents.seq})` }).from(auditEvents);
      this.#cursor = last?.seq ?? 0;
    } catch (error) {
      this.#core.log.warn({ err: error }, 'change feed: cannot read the audit log yet; will retry');
      this.#schedule(AFTER_ERROR_MS, () => this.#begin());
      return;
    }
    this.#schedule(0, () => this.#tick());
  }

  async #tick(): Promise<void> {
    const core = this.#core;
    try {
      const rows = await core.database.db
        .select({ seq: auditEvents.seq, subject: auditEvents.subject, type: auditEvents.type })
        .from(auditEvents)
        .where(gt(auditEvents.seq, this.#cursor))
        .orderBy(asc(auditEvents.seq))
        .limit(BATCH);
      if (this.#failing) core.log.info('change feed: reading again');
      this.#failing = false;
      // Per request: whether this batch settled it, so its waiters answer without reading it again.
      const changed = new Map<string, boolean>();
      for (const row of rows) {
        this.#cursor = Math.max(this.#cursor, row.seq);
        if (row.subject?.startsWith('act_'))
          changed.set(row.subject, (changed.get(row.subject) ?? false) || SETTLING.has(row.type));
      }
      for (const [id, settled] of changed) core.events.changed(id, settled);
      const full = rows.length === BATCH;
      this.#schedule(full ? 0 : core.events.waiting() > 0 ? ACTIVE_MS : IDLE_MS, () => this.#tick());
    } catch (error) {
      if (!this.#failing) core.log.warn({ err: error }, 'change feed: the database is not answering');
      this.#failing = true;
      this.#schedule(AFTER_ERROR_MS, () => this.#tick());
    }
  }

  #schedule(ms: number, next: () => Promise<void>): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void next(), ms);
    this.#timer.unref();
  }
}
