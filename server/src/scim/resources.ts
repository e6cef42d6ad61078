import type { ScimGroupRow, ScimGroupState } from '../services/identity/provision-group';
import type { ScimUserRow } from '../services/identity/provision-user';
import { ScimRefusal } from '../services/identity/scim-refusal';
import type { ScimUserState } from '../services/identity/scim-user-state';
import { GROUP_SCHEMA, isObject, type Json, USER_SCHEMA } from './schemas';

// What the server assigns or derives: never stored among the provider's attributes.
const SERVER_OWNED = new Set(['id', 'meta', 'schemas', 'username', 'externalid', 'displayname', 'active']);

/** `active` as Okta and Entra send it: a boolean, or the strings "True"/"False" in any case. */
export function activeOf(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
    return value.trim().toLowerCase() === 'true';
  throw new ScimRefusal(400, `active must be a boolean, not ${JSON.stringify(value)}`, 'invalidValue');
}

const optionalString = (value: unknown, name: string): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ScimRefusal(400, `${name} must be a string`, 'invalidValue');
  return value;
};

/** A POST or PUT body as the state it asks for. */
export function userStateFromBody(body: unknown): ScimUserState {
  if (!isObject(body)) throw new ScimRefusal(400, 'the body must be a User object', 'invalidSyntax');
  const get = (name: string) =>
    Object.entries(body).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  const userName = get('userName');
  if (typeof userName !== 'string' || userName.trim() === '')
    throw new ScimRefusal(400, 'userName is required', 'invalidValue');
  const resource: Json = {};
  for (const [key, value] of Object.entries(body))
    if (!SERVER_OWNED.has(key.toLowerCase())) resource[key] = value;
  const active = get('active');
  return {
    userName: userName.trim(),
    externalId: optionalString(get('externalId'), 'externalId'),
    displayName: optionalString(get('displayName'), 'displayName'),
    active: active === undefined ? true : activeOf(active),
    resource,
  };
}

const location = (base: string, kind: 'Users' | 'Groups', id: string) => `${base}/scim/v2/${kind}/${id}`;
const iso = (ms: number) => new Date(ms).toISOString();

export function toScimUser(row: ScimUserRow, base: string): Json {
  return {
    ...row.resource,
    schemas: [USER_SCHEMA, ...Object.keys(row.resource).filter((k) => k.startsWith('urn:'))],
    id: row.id,
    userName: row.userName,
    ...(row.externalId !== null && { externalId: row.externalId }),
    ...(row.displayName !== null && { displayName: row.displayName }),
    active: row.active,
    meta: {
      resourceType: 'User',
      created: iso(row.createdAt),
      lastModified: iso(row.updatedAt),
      location: location(base, 'Users', row.id),
      version: `W/"${row.updatedAt}"`,
    },
  };
}

export function toScimGroup(row: ScimGroupRow, base: string): Json {
  return {
    schemas: [GROUP_SCHEMA],
    id: row.id,
    displayName: row.displayName,
    ...(row.externalId !== null && { externalId: row.externalId }),
    members: row.members.map((value) => ({ value, $ref: location(base, 'Users', value) })),
    meta: {
      resourceType: 'Group',
      created: iso(row.createdAt),
      lastModified: iso(row.updatedAt),
      location: location(base, 'Groups', row.id),
      version: `W/"${row.updatedAt}"`,
    },
  };
}

/** Member references as the provider sends them: `[{value: id}]`. */
export function memberIds(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((m) => {
    if (isObject(m) && typeof m.value === 'string') return m.value;
    throw new ScimRefusal(400, 'each member must be {"value": "<user id>"}', 'invalidValue');
  });
}

export function groupStateFromBody(body: unknown): ScimGroupState {
  if (!isObject(body)) throw new ScimRefusal(400, 'the body must be a Group object', 'invalidSyntax');
  const displayName = body.displayName;
  if (typeof displayName !== 'string' || displayName.trim() === '')
    throw new ScimRefusal(400, 'displayName is required', 'invalidValue');
  return {
    displayName: displayName.trim(),
    externalId: optionalString(body.externalId, 'externalId'),
    members: body.members === undefined ? [] : memberIds(body.members),
  };
}
