import type { BodyObject } from './body';
import { embeddedJson, isBodyObject } from './body';
import type { Witnesses } from './body-pattern';
import { childPath } from './body-pattern';
import type { BodyValue } from './types';

/** What a template may read from one matched request. */
export type TemplateContext = {
  /** URL pattern groups, named and numbered, already percent-decoded. */
  groups: ReadonlyMap<string, string>;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: ReadonlyMap<string, string>;
  body: BodyValue | undefined;
  witnesses: Witnesses;
};

/** Renders one template, or undefined when any part of it has no value (the field is then left out). */
export type Template = (context: TemplateContext) => string | undefined;

type Piece = { text: string } | { read: (context: TemplateContext) => string | undefined };

const PART = /\{([^{}]*)\}/g;
const URL_GROUP = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+)$/;

function scalar(value: BodyValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Keys of `object` that the segments from `from` may name, longest first: form keys hold dots. */
function keyCandidates(object: BodyObject, segments: string[], from: number): [string, number][] {
  const found: [string, number][] = [];
  for (const caseless of [false, true]) {
    for (let to = segments.length; to > from; to--) {
      const key = segments.slice(from, to).join('.');
      if (!caseless && Object.hasOwn(object, key)) found.push([key, to]);
      if (caseless) {
        for (const k of Object.keys(object)) {
          if (k !== key && k.toLowerCase() === key.toLowerCase()) found.push([k, to]);
        }
      }
    }
  }
  return found;
}

/**
 * The value at `segments` below `value`. On a list, a number is an index and `*` is the element that
 * matched the rule's list pattern there (else the first element the rest of the path resolves in);
 * past either, deeper `*` no longer know a witness. A string holding JSON is looked into.
 */
function resolve(
  value: BodyValue | undefined,
  segments: string[],
  from: number,
  path: string,
  witnesses: Witnesses | undefined,
): BodyValue | undefined {
  if (from === segments.length) return value;
  const container = typeof value === 'string' ? embeddedJson(value) : value;
  const segment = segments[from] ?? '';
  if (Array.isArray(container)) {
    const itemPath = childPath(path, '*');
    if (/^\d+$/.test(segment))
      return resolve(container[Number(segment)], segments, from + 1, itemPath, undefined);
    if (segment !== '*') return undefined;
    const witness = witnesses?.get(path);
    if (witness !== undefined) return resolve(witness, segments, from + 1, itemPath, witnesses);
    for (const item of container) {
      const found = resolve(item, segments, from + 1, itemPath, undefined);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isBodyObject(container)) return undefined;
  for (const [key, to] of keyCandidates(container, segments, from)) {
    const found = resolve(container[key], segments, to, childPath(path, key), witnesses);
    if (found !== undefined) return found;
  }
  return undefined;
}

function reader(part: string): ((context: TemplateContext) => string | undefined) | undefined {
  const [source = '', ...rest] = part.split('.');
  const name = rest.join('.');
  if (rest.length === 0) return URL_GROUP.test(part) ? (c) => c.groups.get(part) : undefined;
  switch (source) {
    case 'body':
      return (c) => scalar(resolve(c.body, rest, 0, '', c.witnesses));
    case 'query':
      return (c) => {
        const exact = c.query.get(name);
        if (exact !== null) return exact;
        for (const [key, value] of c.query) if (key.toLowerCase() === name.toLowerCase()) return value;
        return undefined;
      };
    case 'header':
      return (c) => c.headers.get(name.toLowerCase());
    default:
      return undefined;
  }
}

/**
 * Compiles a template: `{name}` or `{0}` from the URL pattern's groups, `{body.a.b}`, `{query.x}`,
 * `{header.x}`. A part the request has no value for (an optional URL group that took no part, an
 * absent key, parameter or header, a body value that is a map, list or null) leaves the whole field
 * out rather than yield a half name such as `role/` that a policy glob could take for another
 * resource; an empty value renders empty, and a field that renders to nothing is left out. Throws on a
 * part it cannot read.
 */
export function compileTemplate(template: string): Template {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of template.matchAll(PART)) {
    const part = match[1] ?? '';
    const read = reader(part);
    if (!read)
      throw new Error(`{${part}} is not a template part; use {name}, {body.a.b}, {query.x} or {header.x}`);
    pieces.push({ text: template.slice(last, match.index) }, { read });
    last = match.index + match[0].length;
  }
  pieces.push({ text: template.slice(last) });
  if (pieces.some((p) => 'text' in p && /[{}]/.test(p.text))) {
    throw new Error(`unbalanced braces in template "${template}"`);
  }
  return (context) => {
    let out = '';
    for (const piece of pieces) {
      if ('text' in piece) out += piece.text;
      else {
        const value = piece.read(context);
        if (value === undefined) return undefined;
        out += value;
      }
    }
    return out === '' ? undefined : out;
  };
}
