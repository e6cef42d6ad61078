import type { AuditEvent } from '@countersign/shared';
import { queryAudit } from '../../audit/query';
import type { Ctx } from '../core';
import { getAction } from './get-action';

const MAX_EVENTS = 200;

/**
 * A request's history from the audit log, for anyone who may see the request (its requester, its
 * approvers, auditors): the log is the one record of what happened, so the page shows it, not a copy.
 */
export async function requestTimeline({ ctx, id }: { ctx: Ctx; id: string }): Promise<AuditEvent[]> {
  await getAction({ ctx, id }); // 404 for anyone who may not see the request
  const events: AuditEvent[] = [];
  for await (const event of queryAudit(ctx.core.database.db, { subject: id })) {
    events.push(event);
    if (events.length >= MAX_EVENTS) break;
  }
  return events;
}
