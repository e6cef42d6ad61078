import type { AuditEventType } from '@countersign/shared';
import { sql } from 'drizzle-orm';
import { type AuditInput, appendAudit } from '../../audit/emit';
import type { Tx } from '../../db/client';
import { outbox } from '../../db/schema';
import { afterCommit, hotOf } from '../../db/write-queue';
import { newId } from '../../ids';
import type { Core } from '../core';

/**
 * A transport that wants to hear of some events about requests (the Slack bot, webhooks).
 * `onlyWithCallback`: only for requests that name a callbackUrl (a webhook has nowhere else to go).
 */
export type OutboxSink = {
  name: string;
  wants(type: AuditEventType): boolean;
  onlyWithCallback?: boolean;
  /** For a transport that tells reviewers (a chat): where a request with this rule channel goes, if anywhere. */
  notifies?: (channel: string | null, teams: string | null) => Notified | undefined;
};

/** One place reviewers were told of a request, as ActionRequest.notified lists it. */
export type Notified = { transport: string; channel?: string };

/**
 * Records what happened to a request: the audit events, and for every sink that wants them an outbox
 * row — all in the caller's transaction, so a change, its audit trail and its notifications commit
 * together or not at all.
 */
export async function record(core: Core, tx: Tx, at: number, events: AuditInput[]): Promise<void> {
  await appendAudit(tx, at, events);
  if (core.sinks.length === 0) return;
  const callbackOnly = new Set(core.sinks.filter((sink) => sink.onlyWithCallback).map((sink) => sink.name));
  const rows = events.flatMap((event) =>
    event.subject?.startsWith('act_')
      ? core.sinks
          .filter((sink) => sink.wants(event.type))
          .map((sink) => ({
            id: newId('out'),
            sink: sink.name,
            actionId: event.subject as string,
            event: event.type,
            payload: { actor: event.actor, ...event.data },
            nextAttemptAt: at,
            createdAt: at,
          }))
      : [],
  );
  // The sinks that got a row: their deliverers are told once the transaction commits.
  const written = new Set<string>();
  const hot = hotOf(tx);
  if (hot) {
    for (const row of rows) if (hot.insertOutbox(row, callbackOnly.has(row.sink))) written.add(row.sink);
  } else {
    const always = rows.filter((row) => !callbackOnly.has(row.sink));
    if (always.length > 0) await tx.insert(outbox).values(always);
    for (const row of always) written.add(row.sink);
    for (const row of rows.filter((r) => callbackOnly.has(r.sink))) {
      // One statement, no read first: the row exists only if the request has somewhere to call.
      const result =
        await tx.run(sql`INSERT INTO outbox (id, sink, action_id, event, payload, attempts, next_attempt_at, created_at)
        SELECT ${row.id}, ${row.sink}, ${row.actionId}, ${row.event}, ${JSON.stringify(row.payload)}, 0, ${row.nextAttemptAt}, ${row.createdAt}
        FROM actions WHERE id = ${row.actionId} AND callback_url IS NOT NULL`);
      if (result.rowsAffected > 0) written.add(row.sink);
    }
  }
  if (written.size > 0)
    afterCommit(tx, () => {
      for (const sink of written) core.events.outboxWritten(sink);
    });
}
