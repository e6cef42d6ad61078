import {
  AUDIT_EVENT_TYPES,
  type AuditEvent,
  AuditEvent as AuditEventSchema,
  AuditVerification,
} from '@countersign/shared';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { csvHeader, csvRow } from '../../audit/query';
import { readAudit, verifyAuditLog } from '../../services/audit/read-audit';
import type { Core } from '../../services/core';
import type { AppEnv } from '../env';
import { json, v1Route } from '../openapi';

const typeList = z
  .string()
  .transform((s) => s.split(',').map((t) => t.trim()))
  .pipe(z.array(z.enum(AUDIT_EVENT_TYPES)));

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

const FORMATS = {
  json: {
    type: 'application/json',
    head: '{"events":[',
    row: (e: AuditEvent, i: number) => `${i === 0 ? '' : ','}${JSON.stringify(e)}`,
    tail: ']}\n',
  },
  ndjson: {
    type: 'application/x-ndjson',
    head: '',
    row: (e: AuditEvent) => `${JSON.stringify(e)}\n`,
    tail: '',
  },
  csv: { type: 'text/csv; charset=utf-8', head: csvHeader(), row: (e: AuditEvent) => csvRow(e), tail: '' },
} as const;

const FLUSH_CHARS = 64 * 1024;

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>, core: Core): void {
  app.openapi(query, (c) => {
    const q = c.req.valid('query');
    // Authorization happens here, before the first byte: a refusal is still a proper 403 body.
    const events = readAudit({
      ctx: { core, actor: c.var.actor },
      filter: {
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        actor: q.actor,
        action: q.action,
        subject: q.subject,
        types: q.type,
      },
    });
    const format = FORMATS[q.format ?? 'json'];
    c.header('content-type', format.type);
    return stream(c, async (out) => {
      // Rows are gathered into ~64 KB writes: a web-stream write per row (a million for a large
      // export) cost more than formatting the rows. Memory stays flat either way.
      let pending = format.head;
      let i = 0;
      for await (const event of events) {
        pending += format.row(event, i);
        i += 1;
        if (pending.length >= FLUSH_CHARS) {
          await out.write(pending);
          pending = '';
        }
      }
      await out.write(pending + format.tail);
    });
  });

  app.openapi(verify, async (c) => {
    const { head } = c.req.valid('query');
    const against = head === undefined ? undefined : { text: head, path: 'head' };
    return c.json(await verifyAuditLog({ ctx: { core, actor: c.var.actor }, against }), 200);
  });
}
