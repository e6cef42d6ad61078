import type { Matcher } from '../policy/glob';
import { compileGlobs } from '../policy/glob';
import type { BodyPattern } from '../policy/types';
import type { BodyObject } from './body';
import { embeddedJson, isBodyObject } from './body';
import type { BodyValue } from './types';

/**
 * For each body list a list pattern looked into (keyed by its path, `requests` or `requests.*.items`),
 * the element that matched the pattern's first entry. Templates read it through `*`.
 */
export type Witnesses = Map<string, BodyValue>;

/** Tests one value of the parsed body; records witnesses only when it answers true. */
export type BodyTest = (value: BodyValue | undefined, path: string, witnesses: Witnesses) => boolean;

export const childPath = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** Runs `test` against a copy of the witnesses and keeps what it recorded only when it matched. */
function attempt(witnesses: Witnesses, test: (trial: Witnesses) => boolean): boolean {
  const trial = new Map(witnesses);
  if (!test(trial)) return false;
  for (const [key, value] of trial) witnesses.set(key, value);
  return true;
}

function scalarText(value: BodyValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

// Globs ignore case, as everything else here: consoles vary the case of the same name
// (`X-Amz-Target`, ARM paths), and holding too much is safer than holding too little.
function globTest(pattern: string): BodyTest {
  const glob: Matcher = compileGlobs('plain', [pattern], true);
  return (value) => {
    const text = scalarText(value);
    return text !== undefined && glob(text);
  };
}

// A form body carries every value as a string, so `1` and `true` also match "1" and "true".
const equalTest =
  (pattern: number | boolean): BodyTest =>
  (value) =>
    value === pattern || (typeof value === 'string' && value === String(pattern));

function listTest(patterns: BodyPattern[]): BodyTest {
  const tests = patterns.map(compileBodyPattern);
  return (value, path, witnesses) => {
    const list = Array.isArray(value) ? value : embeddedJson(value);
    // A single value stands for a one-element list (a form key given once).
    const items = Array.isArray(list) ? list : value === undefined ? [] : [value];
    const itemPath = childPath(path, '*');
    return attempt(witnesses, (trial) =>
      tests.every((test) =>
        items.some((item) =>
          attempt(trial, (inner) => {
            if (!test(item, itemPath, inner)) return false;
            if (!inner.has(path)) inner.set(path, item);
            return true;
          }),
        ),
      ),
    );
  };
}

/**
 * The body's keys a pattern key names: every key equal to it but for case. Which of two such keys a
 * server reads is its own business, so either may match: holding too much beats too little.
 */
function keysFor(object: BodyObject, key: string): string[] {
  const lower = key.toLowerCase();
  return Object.keys(object).filter((k) => k.toLowerCase() === lower);
}

function mapTest(pattern: { [key: string]: BodyPattern }): BodyTest {
  const tests = Object.entries(pattern).map(([key, p]): [string, BodyTest] => [key, compileBodyPattern(p)]);
  return (value, path, witnesses) => {
    const object = isBodyObject(value) ? value : embeddedJson(value);
    if (!isBodyObject(object)) return false;
    return attempt(witnesses, (trial) =>
      tests.every(([key, test]) =>
        keysFor(object, key).some((k) =>
          attempt(trial, (inner) => test(object[k], childPath(path, k), inner)),
        ),
      ),
    );
  };
}

/**
 * Compiles a body pattern (see the contract): a map matches when each of its keys matches, a string is
 * a glob, numbers and booleans are equal, null is null, and a list matches when each of its entries
 * matches some element of the body's list. Throws on an invalid glob.
 */
export function compileBodyPattern(pattern: BodyPattern): BodyTest {
  if (typeof pattern === 'string') return globTest(pattern);
  if (typeof pattern === 'number' || typeof pattern === 'boolean') return equalTest(pattern);
  if (pattern === null) return (value) => value === null;
  if (Array.isArray(pattern)) return listTest(pattern);
  return mapTest(pattern);
}
