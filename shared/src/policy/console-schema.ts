import { z } from 'zod';
import { globError } from './glob';
import type { ConsoleRule } from './types';
import type { Path } from './yaml-source';

const nonEmpty = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, { error: `expected ${what}, not an empty string` });

const METHOD = /^[A-Za-z]+$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const method = z
  .string({ error: 'expected an HTTP method' })
  .regex(METHOD, { error: (iss) => `"${String(iss.input)}" is not an HTTP method` })
  .transform((m) => m.toUpperCase());

const headerGlob = z.string({ error: 'expected a glob (a string)' }).superRefine((pattern, ctx) => {
  const error = globError('plain', pattern);
  if (error) ctx.addIssue({ code: 'custom', message: error });
});

/** Problems of a body pattern, each with its path below `body`. */
function bodyPatternProblems(
  value: unknown,
  path: PropertyKey[] = [],
): { path: PropertyKey[]; message: string }[] {
  if (typeof value === 'string') {
    const error = globError('plain', value);
    return error === undefined ? [] : [{ path, message: error }];
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => bodyPatternProblems(v, [...path, i]));
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => bodyPatternProblems(v, [...path, k]));
  }
  return [{ path, message: 'expected a string, number, boolean, list or map' }];
}

// Typed here, checked in the refinement, so every bad leaf is reported with its own path.
const body = z
  .custom<NonNullable<ConsoleRule['match']['body']>>(() => true)
  .superRefine((value, ctx) => {
    if (typeof value === 'string') {
      try {
        new RegExp(value);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        ctx.addIssue({ code: 'custom', message: `the regular expression does not compile: ${reason}` });
      }
      return;
    }
    if (typeof value !== 'object' || value === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a regular expression (a string) or a pattern (a map)',
      });
      return;
    }
    for (const problem of bodyPatternProblems(value)) {
      ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
    }
  });

const matchShape = {
  method: z
    .preprocess(
      (v) => (typeof v === 'string' ? [v] : v),
      z.array(method, { error: 'expected an HTTP method or a list of them' }).min(1, {
        error: 'must not be an empty list; leave method out to match any',
      }),
    )
    .optional(),
  url: nonEmpty('a URL pattern'),
  headers: z
    .record(
      z.string().regex(HEADER_NAME, { error: (iss) => `"${String(iss.input)}" is not a header name` }),
      headerGlob,
      { error: (iss) => (iss.code === 'invalid_type' ? 'expected a map of header name to glob' : undefined) },
    )
    .optional(),
  body: body.optional(),
};

const consoleShape = {
  name: nonEmpty('a console rule name'),
  match: z.strictObject(matchShape, { error: 'expected a map with method, url, headers and body' }),
  action: nonEmpty('an action name'),
  resource: nonEmpty('a template').optional(),
  environment: nonEmpty('a template').optional(),
};

export const consoleSchema = z.strictObject(consoleShape, { error: 'expected a console rule (a map)' });

export type ConsoleFile = z.output<typeof consoleSchema>;

/** Keys allowed at `path` below one console rule. */
export function consoleKeysAt(path: Path): readonly string[] {
  if (path.length === 0) return Object.keys(consoleShape);
  if (path.length === 1 && path[0] === 'match') return Object.keys(matchShape);
  return [];
}
