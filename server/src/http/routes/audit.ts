import {
  AUDIT_EVENT_TYPES,
  AuditEvent as AuditEventSchema,
  type AuditEventType,
  AuditVerification,
} from '@countersign/shared';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { FORMATS } from '../../audit/export';
import { exportAudit } from '../../services/audit/export-audit';
import { verifyAuditLog } from '../../services/audit/read-audit';
import type { Core } from '../../services/core';
import type { AppEnv } from '../env';
import { json, v1Route } from '../openapi';

const isEventType = (t: string): t is AuditEventType => (AUDIT_EVENT_TYPES as readonly string[]).includes(t);

// `type=a,b` and `type=a&type=b` are the same filter (a client building a URL from a list sends the
// second); an unknown type is named at `type`, whichever way the list came.
const typeList = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const types = [value].flat().flatMap((s) => s.split(',').map((t) => t.trim()));
  const unknown = types.filter((t) => !isEventType(t));
  if (unknown.length === 0) return types.filter(isEventType);
  ctx.addIssue({
    code: 'custom',
    message: `unknown event type ${unknown.map((t) => `"${t}"`).join(', ')}: give one or more, comma-separated or repeated`,
  });
  return z.NEVER;
});

const query = v1Route({
  method: 'get',
  path: '/v1/audit',
  summary: 'Audit events in order, filtered, streamed as JSON, NDJSON or CSV',
  request: {
    // Strict: an unknown parameter (a typo for `actor`, a `limit` this route does not take) is named
    // in a 400, never dropped, which would widen the answer to everything without a word.
    query: z.strictObject({
      since: z.iso.datetime({ offset: true }).optional(),
      until: z.iso.datetime({ offset: true }).optional(),
      actor: z.string().max(300).optional(),
      action: z.string().max(200).optional(),
      subject: z.string().max(100).optional(),
      type: typeList.optional(),
      format: z.enum(['json', 'ndjson', 'csv']).optional(),
    }),
  },
  responses: {
    200: {
      description: 'The events',
      content: {
        'application/json': { schema: z.object({ events: z.array(AuditEventSchema) }) },
        'application/x-ndjson': { schema: AuditEventSchema },
        'text/csv': { schema: z.string() },
      },
    },
  },
});

const verify = v1Route({
  method: 'get',
  path: '/v1/audit/verify',
  summary: 'Recompute the hash chain and name the first bad event; with `head`, also against a checkpoint',
  request: {
    query: z.strictObject({
      // A signed checkpoint (base64url of its JSON) or `<seq>:<hash>`: the log must still reach it.
      head: z.string().min(1).max(2_000).optional(),
    }),
  },
  responses: { 200: json(AuditVerification, 'The verification result') },
});

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>, core: Core): void {
  app.openapi(query, (c) => {
    const q = c.req.valid('query');
    const format = q.format ?? 'json';
    // Authorization happens here, before the first byte: a refusal is still a proper 403 body.
    const chunks = exportAudit({
      ctx: { core, actor: c.var.actor },
      filter: {
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        actor: q.actor,
        action: q.action,
        subject: q.subject,
        types: q.type,
      },
      format,
    });
    const encoder = new TextEncoder();
    // Pulled, not pushed: the next chunk is made only when the socket has taken the last one, so
    // memory stays flat however long the log; a client that goes away cancels the read.
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value);
        },
        async cancel() {
          await chunks.return(undefined);
        },
      },
      { highWaterMark: 0 },
    );
    return c.body(body, 200, { 'content-type': FORMATS[format].type });
  });

  app.openapi(verify, async (c) => {
    const { head } = c.req.valid('query');
    const against = head === undefined ? undefined : { text: head, path: 'head' };
    return c.json(await verifyAuditLog({ ctx: { core, actor: c.var.actor }, against }), 200);
  });
}
