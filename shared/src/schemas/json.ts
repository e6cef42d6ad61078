import { z } from 'zod';

/** Deeper than any honest action's params; deep enough to stop stack-exhaustion tricks. */
export const MAX_JSON_DEPTH = 32;

// A UTF-16 surrogate without its partner: not valid Unicode, so it has no canonical JSON (RFC 8785).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

/** A string that canonicalizes: well-formed Unicode. */
export const text = () => z.string().refine(isWellFormed, 'contains an unpaired UTF-16 surrogate');

type Problem = { path: (string | number)[]; message: string };

/** The first reason `value` cannot be hashed as canonical JSON, with its path. */
function jsonProblem(value: unknown, path: (string | number)[], depth: number): Problem | undefined {
  // Only objects and arrays are levels, as the body parser counts them (strict-json.ts): 32 nested
  // objects holding a number are 32 levels, not 33.
  if (depth > MAX_JSON_DEPTH && value !== null && typeof value === 'object')
    return {
      path,
      message: `nested deeper than ${MAX_JSON_DEPTH} levels: the most params and context may nest`,
    };
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : { path, message: 'not a finite number' };
  if (typeof value === 'string')
    return isWellFormed(value) ? undefined : { path, message: 'contains an unpaired UTF-16 surrogate' };
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const problem = jsonProblem(item, [...path, i], depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!isWellFormed(key))
        return { path: [...path, key], message: 'key contains an unpaired UTF-16 surrogate' };
      // A copy of the object (zod's, or any client's) would turn this key into a prototype, not data.
      if (key === '__proto__') return { path: [...path, key], message: 'the key "__proto__" is not allowed' };
      const problem = jsonProblem(item, [...path, key], depth + 1);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * A JSON object that has a canonical form: finite numbers, well-formed strings, bounded depth. The
 * check runs on the value as parsed from the request, before zod copies it (a copy would silently
 * drop a "__proto__" key, so the digest would not cover what was sent).
 */
export const jsonObject = () =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      const problem = jsonProblem(value, [], 1);
      if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    })
    .pipe(z.record(z.string().max(200), z.unknown()));
