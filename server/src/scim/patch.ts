import type { ScimGroupState } from '../services/identity/provision-group';
import { ScimRefusal } from '../services/identity/scim-refusal';
import type { ScimUserState } from '../services/identity/scim-user-state';
import { memberIds, userStateFromBody } from './resources';
import { isObject, type Json, USER_SCHEMA } from './schemas';

// PATCH (RFC 7644 §3.5.2) as Okta and Entra ID send it. Written here rather than taken from
// scim-patch, which drops Entra's `{op: Remove, path: members, value: [...]}` member removal.

export type PatchOp = { op: 'add' | 'replace' | 'remove'; path: string | undefined; value: unknown };

/** The operations of a PatchOp body; `op` in any case (`Add`, `add`, `REPLACE`). */
export function parsePatch(body: unknown): PatchOp[] {
  if (!isObject(body)) throw new ScimRefusal(400, 'the body must be a PatchOp message', 'invalidSyntax');
  const list = Object.entries(body).find(([k]) => k.toLowerCase() === 'operations')?.[1];
  if (!Array.isArray(list) || list.length === 0)
    throw new ScimRefusal(400, 'Operations must be a non-empty list', 'invalidSyntax');
  return list.map((raw, i) => {
    if (!isObject(raw)) throw new ScimRefusal(400, `Operations.${i} must be an object`, 'invalidSyntax');
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw new ScimRefusal(400, `Operations.${i}.op must be add, replace or remove`, 'invalidSyntax');
    if (raw.path !== undefined && typeof raw.path !== 'string')
      throw new ScimRefusal(400, `Operations.${i}.path must be a string`, 'invalidPath');
    const path = typeof raw.path === 'string' && raw.path.trim() !== '' ? raw.path.trim() : undefined;
    if (path === undefined && op !== 'remove' && !isObject(raw.value))
      throw new ScimRefusal(
        400,
        `Operations.${i}: without a path the value must be an object`,
        'invalidValue',
      );
    if (path === undefined && op === 'remove') throw new ScimRefusal(400, 'remove needs a path', 'noTarget');
    return { op, path, value: raw.value };
  });
}

const keyOf = (obj: Json, name: string): string =>
  Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;

const FILTERED = /^([\w$-]+)\[\s*([\w$-]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\](?:\.([\w$-]+))?$/i;
const DOTTED = /^([\w$-]+)(?:\.([\w$-]+))?$/;

const equalsLoosely = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

function setIn(obj: Json, path: string, op: PatchOp['op'], value: unknown): void {
  if (/^urn:/i.test(path)) {
    const core = `${USER_SCHEMA}:`;
    if (path.toLowerCase().startsWith(core.toLowerCase())) {
      setIn(obj, path.slice(core.length), op, value);
      return;
    }
    // An extension attribute: `urn:…:enterprise:2.0:User:employeeNumber` (or `…:manager.value`).
    const cut = path.lastIndexOf(':');
    const urn = path.slice(0, cut);
    const attr = path.slice(cut + 1);
    const known = /^urn:.*:\d+\.\d+:\w+$/i.test(path);
    if (known && isObject(value)) {
      // The URN alone with an object: merge into the extension.
      const into = isObject(obj[path]) ? (obj[path] as Json) : {};
      for (const [k, v] of Object.entries(value)) setIn(into, k, op, v);
      obj[path] = into;
      return;
    }
    const key = keyOf(obj, urn);
    const ext = isObject(obj[key]) ? (obj[key] as Json) : {};
    setIn(ext, attr, op, value);
    obj[key] = ext;
    return;
  }
  const filtered = FILTERED.exec(path);
  if (filtered) {
    const [, attr = '', sub = '', wanted = '', subAttr] = filtered;
    const key = keyOf(obj, attr);
    const list = Array.isArray(obj[key]) ? (obj[key] as unknown[]) : [];
    const matches = (e: unknown) => isObject(e) && equalsLoosely(e[keyOf(e, sub)], wanted);
    if (op === 'remove') {
      obj[key] = subAttr
        ? list.map((e) => {
            if (!matches(e) || !isObject(e)) return e;
            const { [keyOf(e, subAttr)]: _gone, ...rest } = e;
            return rest;
          })
        : list.filter((e) => !matches(e));
      return;
    }
    const found = list.find(matches);
    if (found && isObject(found)) {
      if (subAttr) found[keyOf(found, subAttr)] = value;
      else if (isObject(value)) Object.assign(found, value);
    } else {
      list.push(
        subAttr ? { [sub]: wanted, [subAttr]: value } : isObject(value) ? { [sub]: wanted, ...value } : value,
      );
    }
    obj[key] = list;
    return;
  }
  const dotted = DOTTED.exec(path);
  if (!dotted) throw new ScimRefusal(400, `path "${path}" is not one this server understands`, 'invalidPath');
  const [, attr = '', subAttr] = dotted;
  const key = keyOf(obj, attr);
  if (subAttr !== undefined) {
    const inner = isObject(obj[key]) ? (obj[key] as Json) : {};
    setIn(inner, subAttr, op, value);
    obj[key] = inner;
    return;
  }
  if (op === 'remove') {
    delete obj[key];
    return;
  }
  const current = obj[key];
  // add on a multi-valued attribute appends; replace (and add to nothing) sets.
  if (op === 'add' && Array.isArray(current))
    obj[key] = [...current, ...(Array.isArray(value) ? value : [value])];
  else if (op === 'add' && isObject(current) && isObject(value)) obj[key] = { ...current, ...value };
  else obj[key] = value;
}

/** The user after the operations, validated as a PUT body would be. */
export function applyUserPatch(current: ScimUserState, ops: readonly PatchOp[]): ScimUserState {
  const view: Json = structuredClone({
    ...current.resource,
    userName: current.userName,
    ...(current.externalId !== null && { externalId: current.externalId }),
    ...(current.displayName !== null && { displayName: current.displayName }),
    active: current.active,
  });
  for (const { op, path, value } of ops) {
    if (path === undefined) {
      // Path-less: each key is itself a path (`name.givenName`, an extension URN attribute).
      for (const [k, v] of Object.entries(value as Json)) setIn(view, k, op, v);
    } else setIn(view, path, op, value);
  }
  return userStateFromBody(view);
}

const MEMBER_FILTER = /^members\[\s*value\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\]$/i;

/** The group after the operations: renames (Okta's carries `id`, ignored), members added and removed. */
export function applyGroupPatch(current: ScimGroupState, ops: readonly PatchOp[]): ScimGroupState {
  let { displayName, externalId } = current;
  let members = [...current.members];
  const setField = (name: string, op: PatchOp['op'], value: unknown) => {
    switch (name.toLowerCase()) {
      case 'displayname':
        if (typeof value !== 'string' || value.trim() === '')
          throw new ScimRefusal(400, 'displayName must be a non-empty string', 'invalidValue');
        displayName = value.trim();
        return;
      case 'externalid':
        externalId = typeof value === 'string' ? value : null;
        return;
      case 'id':
        return; // Okta's rename repeats the group's id: not a change.
      case 'members':
        if (op === 'remove') {
          const gone = value === undefined ? new Set(members) : new Set(memberIds(value));
          members = members.filter((m) => !gone.has(m));
        } else if (op === 'replace') members = memberIds(value);
        else members = [...members, ...memberIds(value)];
        return;
      default:
        throw new ScimRefusal(400, `"${name}" is not an attribute of a Group here`, 'invalidPath');
    }
  };
  for (const { op, path, value } of ops) {
    const filtered = path === undefined ? null : MEMBER_FILTER.exec(path);
    if (filtered) {
      const id = filtered[1] ?? '';
      if (op !== 'remove')
        throw new ScimRefusal(400, 'members[value eq …] can only be removed', 'invalidPath');
      members = members.filter((m) => m !== id);
    } else if (path === undefined) {
      for (const [k, v] of Object.entries(value as Json)) setField(k, op, v);
    } else setField(path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:Group:/i, ''), op, value);
  }
  return { displayName, externalId, members: [...new Set(members)] };
}
