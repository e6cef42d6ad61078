import { filter as compile, type Filter, parse } from 'scim2-parse-filter';
import { ScimRefusal } from '../services/identity/scim-refusal';
import { isObject, type Json } from './schemas';

// RFC 7643: userName, displayName and email values compare without letter case; ids do not.
const CASE_EXACT = new Set(['id', 'externalid']);

const fold = (value: unknown, key = ''): unknown => {
  if (CASE_EXACT.has(key.toLowerCase())) return value;
  if (typeof value === 'string') return value.toLowerCase();
  if (Array.isArray(value)) return value.map((v) => fold(v));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fold(v, k)]));
  return value;
};

function foldFilter(f: Filter): Filter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { ...f, filters: f.filters.map(foldFilter) };
    case 'not':
      return { ...f, filter: foldFilter(f.filter) };
    case '[]':
      return { ...f, valFilter: foldFilter(f.valFilter) };
    case 'pr':
      return f;
    default: {
      const last = f.attrPath.split('.').pop() ?? '';
      return typeof f.compValue === 'string' && !CASE_EXACT.has(last.toLowerCase())
        ? { ...f, compValue: f.compValue.toLowerCase() }
        : f;
    }
  }
}

/** A predicate over SCIM resources for `?filter=` (eq, and, `emails[type eq "work"].value` …). */
export function compileFilter(text: string | undefined): (resource: Json) => boolean {
  if (text === undefined || text.trim() === '') return () => true;
  let parsed: Filter;
  try {
    parsed = parse(text);
  } catch {
    throw new ScimRefusal(400, `the filter ${JSON.stringify(text)} cannot be parsed`, 'invalidFilter');
  }
  const test = compile(foldFilter(parsed));
  return (resource) => test(fold(resource));
}
