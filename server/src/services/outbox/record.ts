import type { AuditEventType } from '@countersign/shared';
import { type AuditInput, appendAudit } from '../../audit/emit';
import type { Tx } from '../../db/client';
import { outbox } from '../../db/schema';
import { newId } from '../../ids';
import type { Core } from '../core';

/** A transport that wants to hear of some events about requests (the Slack bot, webhooks). */
export type OutboxSink = { name: string; wants(type: AuditEventType): boolean };

/**
 * Records what happened to a request: the audit events, and for every sink that wants them an outbox
 * row — all in the caller's transaction, so a change, its audit trail and its notifications commit
 * together or not at all.
 */
export async function record(core: Core, tx: Tx, at: number, events: AuditInput[]): Promise<void> {
  await appendAudit(tx, at, events);
  if (core.sinks.length === 0) return;
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
  if (rows.length > 0) await tx.insert(outbox).values(rows);
}
