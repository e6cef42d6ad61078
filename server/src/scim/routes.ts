import { parseStrictJson } from '@countersign/shared';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isStorageUnavailable } from '../db/storage-errors';
import { bearerToken } from '../http/bearer';
import { encodingRefusal, undecodedEncoding } from '../http/content-encoding';
import type { AppEnv } from '../http/env';
import { retryStorageLater } from '../http/errors';
import type { Core } from '../services/core';
import {
  createScimGroup,
  deleteScimGroup,
  readScimGroup,
  updateScimGroup,
} from '../services/identity/provision-group';
import { createScimUser, deleteScimUser, updateScimUser } from '../services/identity/provision-user';
import { readScimGroups, readScimUsers } from '../services/identity/read-scim';
import { type ScimCaller, ScimRefusal } from '../services/identity/scim-refusal';
import { authenticateScim } from '../services/keys/authenticate-scim';
import { list, resourceTypes, schemas, serviceProviderConfig } from './discovery';
import { compileFilter } from './filter';
import { applyGroupPatch, applyUserPatch, parsePatch } from './patch';
import { groupStateFromBody, toScimGroup, toScimUser, userStateFromBody } from './resources';
import { ERROR_SCHEMA, type Json } from './schemas';

type ScimEnv = AppEnv & { Variables: { scim: ScimCaller } };

const SCIM_JSON = 'application/scim+json; charset=utf-8';
// SCIM is not under /v1, so it gets its own edge: both media types, the one strict parser.
const JSON_TYPE = /^\s*application\/(scim\+)?json\s*(;|$)/i;
const MAX_PAGE = 200;

const send = (c: Context, status: 200 | 201, body: unknown) =>
  c.body(JSON.stringify(body), status, { 'content-type': SCIM_JSON });

/** RFC 7644 §3.12: `{schemas, status (a string), scimType?, detail}`. */
function scimError(c: Context, status: number, detail: string, scimType?: string) {
  const body = { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType && { scimType }), detail };
  return c.body(JSON.stringify(body), status as 400, { 'content-type': SCIM_JSON });
}

async function readBody(c: Context): Promise<unknown> {
  if (!JSON_TYPE.test(c.req.header('content-type') ?? ''))
    throw new ScimRefusal(400, 'send application/scim+json (or application/json)', 'invalidSyntax');
  const coding = undecodedEncoding(c.req.header('content-encoding'));
  // SCIM's errors stop at 409 (scim-refusal.ts): a syntax refusal, before the body is misread.
  if (coding) throw new ScimRefusal(400, encodingRefusal(coding), 'invalidSyntax');
  const parsed = parseStrictJson(await c.req.text());
  if (!parsed.ok)
    throw new ScimRefusal(400, `${parsed.problem.path}: ${parsed.problem.message}`, 'invalidSyntax');
  return parsed.value;
}

/** `startIndex` and `count` are integers (RFC 7644 §3.4.2.4); anything else is the caller's mistake. */
function page(c: Context): { start: number; count: number } {
  const integer = (name: string, fallback: number) => {
    const raw = c.req.query(name);
    if (raw === undefined || raw === '') return fallback;
    if (!/^-?\d{1,9}$/.test(raw)) throw new ScimRefusal(400, `${name} must be an integer`, 'invalidValue');
    return Number(raw);
  };
  return {
    start: Math.max(1, integer('startIndex', 1)),
    count: Math.min(MAX_PAGE, Math.max(0, integer('count', 100))),
  };
}

function listed(c: Context, all: Json[]) {
  const matches = compileFilter(c.req.query('filter'));
  const found = all.filter(matches);
  const { start, count } = page(c);
  return send(c, 200, list(found.slice(start - 1, start - 1 + count), start, found.length));
}

const baseOf = (c: Context) => new URL(c.req.url).origin;

// Okta and Entra both ask for groups without their (possibly long) member lists.
const withoutMembers = (c: Context, group: Json): Json => {
  const excluded = (c.req.query('excludedAttributes') ?? '')
    .toLowerCase()
    .split(',')
    .map((s) => s.trim());
  if (!excluded.includes('members')) return group;
  const { members: _members, ...rest } = group;
  return rest;
};

/** /scim/v2: what Okta and Entra ID send, answered in SCIM's own format. */
export function createScimApp(core: Core, options: { maxBodyBytes: number }): Hono<ScimEnv> {
  const scim = new Hono<ScimEnv>();
  scim.onError((err, c) => {
    if (err instanceof ScimRefusal) return scimError(c, err.status, err.message, err.scimType);
    if (isStorageUnavailable(err)) {
      retryStorageLater(c);
      return scimError(c, 503, 'the database is unavailable; try again shortly');
    }
    (c.var.log ?? core.log).error({ err }, 'unhandled SCIM error');
    return scimError(c, 500, 'internal error; the request id in the logs has the details');
  });
  scim.use(
    '*',
    bodyLimit({ maxSize: options.maxBodyBytes, onError: (c) => scimError(c, 413, 'the body is too large') }),
  );
  scim.use('*', async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    const key = token === undefined ? undefined : await authenticateScim(core, token);
    if (!key)
      return scimError(c, 401, 'send a Countersign key with the scim scope as "Authorization: Bearer <key>"');
    c.set('scim', { ...key, requestId: c.var.requestId });
    await next();
  });

  scim.get('/ServiceProviderConfig', (c) => send(c, 200, serviceProviderConfig(baseOf(c))));
  scim.get('/ResourceTypes', (c) => send(c, 200, resourceTypes(baseOf(c))));
  scim.get('/Schemas', (c) => send(c, 200, schemas(baseOf(c))));

  scim.get('/Users', async (c) => {
    const users = await readScimUsers(core.database.db);
    return listed(
      c,
      users.map((u) => toScimUser(u, baseOf(c))),
    );
  });
  scim.get('/Users/:id', async (c) => {
    const user = (await readScimUsers(core.database.db)).find((u) => u.id === c.req.param('id'));
    if (!user) throw new ScimRefusal(404, `user ${c.req.param('id')} not found`);
    return send(c, 200, toScimUser(user, baseOf(c)));
  });
  scim.post('/Users', async (c) => {
    const row = await createScimUser(core, c.var.scim, userStateFromBody(await readBody(c)));
    return send(c, 201, toScimUser(row, baseOf(c)));
  });
  scim.put('/Users/:id', async (c) => {
    const state = userStateFromBody(await readBody(c));
    const row = await updateScimUser(core, c.var.scim, c.req.param('id'), () => state);
    return send(c, 200, toScimUser(row, baseOf(c)));
  });
  scim.patch('/Users/:id', async (c) => {
    const ops = parsePatch(await readBody(c));
    const row = await updateScimUser(core, c.var.scim, c.req.param('id'), (current) =>
      applyUserPatch(current, ops),
    );
    return send(c, 200, toScimUser(row, baseOf(c)));
  });
  scim.delete('/Users/:id', async (c) => {
    await deleteScimUser(core, c.var.scim, c.req.param('id'));
    return c.body(null, 204);
  });

  scim.get('/Groups', async (c) => {
    const groups = await readScimGroups(core.database.db);
    return listed(
      c,
      groups.map((g) => withoutMembers(c, toScimGroup(g, baseOf(c)))),
    );
  });
  scim.get('/Groups/:id', async (c) => {
    const group = await readScimGroup(core.database.db, c.req.param('id'));
    if (!group) throw new ScimRefusal(404, `group ${c.req.param('id')} not found`);
    return send(c, 200, withoutMembers(c, toScimGroup(group, baseOf(c))));
  });
  scim.post('/Groups', async (c) => {
    const row = await createScimGroup(core, c.var.scim, groupStateFromBody(await readBody(c)));
    return send(c, 201, toScimGroup(row, baseOf(c)));
  });
  scim.put('/Groups/:id', async (c) => {
    const state = groupStateFromBody(await readBody(c));
    const row = await updateScimGroup(core, c.var.scim, c.req.param('id'), () => state);
    return send(c, 200, toScimGroup(row, baseOf(c)));
  });
  scim.patch('/Groups/:id', async (c) => {
    const ops = parsePatch(await readBody(c));
    const row = await updateScimGroup(core, c.var.scim, c.req.param('id'), (current) =>
      applyGroupPatch(current, ops),
    );
    // RFC 7644 §3.5.2: 204 unless the caller asked for attributes back (Okta expects 204).
    if (c.req.query('attributes') === undefined) return c.body(null, 204);
    return send(c, 200, toScimGroup(row, baseOf(c)));
  });
  scim.delete('/Groups/:id', async (c) => {
    await deleteScimGroup(core, c.var.scim, c.req.param('id'));
    return c.body(null, 204);
  });

  scim.all('*', (c) => scimError(c, 404, `no SCIM endpoint ${c.req.method} ${c.req.path}`));
  return scim;
}
