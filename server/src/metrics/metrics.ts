import { and, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { actions, auditEvents, outbox } from '../db/schema';
import type { Core } from '../services/core';
import { probeStorage } from '../services/health/probe-storage';
import { cookieRefusalThrottle } from '../services/sessions/cookie-refusal-throttle';
import { conditionErrorCounts } from './condition-errors';

/**
 * Prometheus metrics for one node. Two kinds, said in each help text:
 * - this node's own: HTTP requests, long-poll waiters, readiness;
 * - the cluster's, read from the shared database at scrape time (pending requests, decisions, the
 *   outbox, the audit chain): every node reports the same values, so aggregate them with max(), not sum().
 */
export type Metrics = { registry: Registry; httpRequest(method: string, status: number): void };

export function createMetrics(core: Core): Metrics {
  const registry = new Registry();
  const db = core.database.db;
  const requests = new Counter({
    name: 'countersign_http_requests_total',
    help: 'HTTP requests this node answered, by method and status',
    labelNames: ['method', 'status'],
    registers: [registry],
  });
  new Gauge({
    name: 'countersign_long_poll_waiters',
    help: 'Long-polls waiting on this node for a request to be decided',
    registers: [registry],
    collect() {
      this.set(core.events.waiting());
    },
  });
  new Counter({
    name: 'countersign_policy_condition_errors_total',
    help: "Policy conditions (when:) this node could not evaluate, by rule; each read as its rule's stricter side",
    labelNames: ['rule'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [rule, n] of conditionErrorCounts()) this.inc({ rule }, n);
    },
  });
  new Counter({
    name: 'countersign_console_cookies_refused_total',
    help: 'Console cookies with a bad signature this node refused; audited="false" are those the per-address throttle kept out of the audit log',
    labelNames: ['audited'],
    registers: [registry],
    collect() {
      const { audited, suppressed } = cookieRefusalThrottle(core).totals;
      this.reset();
      this.inc({ audited: 'true' }, audited);
      this.inc({ audited: 'false' }, suppressed);
    },
  });
  new Gauge({
    name: 'countersign_ready',
    help: 'Whether this node can commit a write now (what /readyz answers): 1 or 0',
    registers: [registry],
    async collect() {
      this.set(
        await probeStorage(core).then(
          () => 1,
          () => 0,
        ),
      );
    },
  });
  new Gauge({
    name: 'countersign_requests',
    help: 'Requests by status (cluster-wide; pending is what waits for a decision)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = await db
        .select({ status: actions.status, n: sql<number>`count(*)` })
        .from(actions)
        .groupBy(actions.status);
      this.reset();
      for (const row of rows) this.set({ status: row.status }, Number(row.n));
    },
  });
  // Decisions observed from the database past a cursor, so a decision made on any node is counted
  // (by every node: cluster-wide, like the gauges above).
  let decidedAfter = core.now();
  const latency = new Histogram({
    name: 'countersign_decision_latency_seconds',
    help: 'From submission to decision, for requests decided since this node started (cluster-wide)',
    labelNames: ['outcome'],
    buckets: [1, 5, 15, 30, 60, 300, 900, 3600, 14_400, 86_400],
    registers: [registry],
    async collect() {
      await observe();
    },
  });
  const decisions = new Counter({
    name: 'countersign_decisions_total',
    help: 'Requests decided since this node started, by outcome (cluster-wide)',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      await observe();
    },
  });
  // Both the counter and the histogram collect through one read per scrape (prom-client collects
  // every metric at once, so each must await the read before its value is taken).
  let reading: Promise<void> | undefined;
  const observe = () => {
    reading ??= observeDecisions().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  const observeDecisions = async () => {
    const rows = await db
      .select({ status: actions.status, created: actions.createdAt, decided: actions.decidedAt })
      .from(actions)
      .where(and(isNotNull(actions.decidedAt), gt(actions.decidedAt, decidedAfter)))
      .limit(10_000);
    for (const row of rows) {
      if (row.decided === null) continue;
      decidedAfter = Math.max(decidedAfter, row.decided);
      decisions.inc({ outcome: row.status });
      latency.observe({ outcome: row.status }, (row.decided - row.created) / 1000);
    }
  };
  new Gauge({
    name: 'countersign_outbox_undelivered',
    help: 'Outbox deliveries not yet made, and those of them that failed at least once, per sink (cluster-wide)',
    labelNames: ['sink', 'state'],
    registers: [registry],
    async collect() {
      const rows = await db
        .select({
          sink: outbox.sink,
          n: sql<number>`count(*)`,
          failing: sql<number>`sum(${outbox.attempts} > 0)`,
        })
        .from(outbox)
        .where(isNull(outbox.deliveredAt))
        .groupBy(outbox.sink);
      this.reset();
      for (const row of rows) {
        this.set({ sink: row.sink, state: 'waiting' }, Number(row.n));
        this.set({ sink: row.sink, state: 'failing' }, Number(row.failing ?? 0));
      }
    },
  });
  new Gauge({
    name: 'countersign_outbox_lag_seconds',
    help: 'Age of the oldest undelivered outbox entry, per sink (cluster-wide; 0 when drained)',
    labelNames: ['sink'],
    registers: [registry],
    async collect() {
      const rows = await db
        .select({ sink: outbox.sink, oldest: sql<number>`min(${outbox.createdAt})` })
        .from(outbox)
        .where(isNull(outbox.deliveredAt))
        .groupBy(outbox.sink);
      this.reset();
      for (const row of rows) this.set({ sink: row.sink }, Math.max(0, (core.now() - row.oldest) / 1000));
      for (const sink of core.sinks)
        if (!rows.some((r) => r.sink === sink.name)) this.set({ sink: sink.name }, 0);
    },
  });
  new Gauge({
    name: 'countersign_audit_events',
    help: 'Length of the audit chain: the sequence number of its last event (cluster-wide)',
    registers: [registry],
    async collect() {
      const [row] = await db.select({ seq: sql<number | null>`max(${auditEvents.seq})` }).from(auditEvents);
      this.set(Number(row?.seq ?? 0));
    },
  });
  new Gauge({
    name: 'countersign_audit_last_checkpoint_timestamp_seconds',
    help: 'When the chain was last verified and signed (its newest audit.checkpoint event); 0 if never',
    registers: [registry],
    async collect() {
      const [row] = await db
        .select({ at: auditEvents.at })
        .from(auditEvents)
        .where(eq(auditEvents.type, 'audit.checkpoint'))
        .orderBy(sql`${auditEvents.seq} DESC`)
        .limit(1);
      this.set(row ? Date.parse(row.at) / 1000 : 0);
    },
  });
  return {
    registry,
    httpRequest: (method, status) => requests.inc({ method, status: String(status) }),
  };
}
