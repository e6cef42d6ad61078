// JSON as the digest needs it: one value per key and numbers that mean what they say. JSON.parse keeps
// the last of two equal keys and rounds every number to a double, so `{"n":1234567890123456789}` and
// `{"n":1234567890123456800}` would hash the same and a reviewer would see a number the agent never
// sent. This parser reads the text once, builds the same value JSON.parse would, and refuses both.

/** Deeper than any accepted body (params may nest 32 levels); stops a recursion-exhaustion attack. */
export const MAX_BODY_DEPTH = 64;

export type StrictJsonProblem = { path: string; message: string };
export type StrictJsonResult = { ok: true; value: unknown } | { ok: false; problem: StrictJsonProblem };

export const SEND_AS_STRING = 'send it as a string';

class Refusal extends Error {
  constructor(
    readonly at: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

/** `a.b.0.c`, the path form the error `details` use; the whole body is `(body)`. */
const pathText = (path: (string | number)[]): string => (path.length === 0 ? '(body)' : path.join('.'));

/**
 * The normalised decimal a number's text denotes: sign, significant digits, exponent. Two texts
 * denote the same value exactly when these agree; no floating point is involved.
 */
function decimalKey(text: string): string {
  const negative = text.charCodeAt(0) === 45; // '-'
  const start = negative ? 1 : 0;
  const e = text.search(/[eE]/);
  const mantissa = e < 0 ? text.slice(start) : text.slice(start, e);
  const dot = mantissa.indexOf('.');
  const whole = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const fraction = dot < 0 ? '' : mantissa.slice(dot + 1);
  let digits = whole + fraction;
  let exponent = (e < 0 ? 0 : Number(text.slice(e + 1))) - fraction.length;
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 48) first++;
  let last = digits.length;
  while (last > first && digits.charCodeAt(last - 1) === 48) last--;
  if (first === last) return '0'; // zero of either sign is the one value 0
  exponent += digits.length - last;
  digits = digits.slice(first, last);
  return `${negative ? '-' : ''}${digits}e${exponent}`;
}

/** Why a number's text cannot be kept exactly as a double, or undefined when it can. */
export function numberProblem(text: string, value: number = Number(text)): string | undefined {
  // Beyond ±(2^53−1) neighbouring integers share a double (I-JSON, RFC 7493 §2.2).
  if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER)
    return `numbers beyond ±(2^53−1) are not kept exactly; ${SEND_AS_STRING}`;
  const shortest = String(value);
  if (text === shortest || decimalKey(text) === decimalKey(shortest)) return undefined;
  return `this number would be rounded to ${shortest}; ${SEND_AS_STRING}`;
}

/** Parses `text` as JSON, refusing duplicate keys and numbers a double cannot hold exactly. */
export function parseStrictJson(text: string, maxDepth: number = MAX_BODY_DEPTH): StrictJsonResult {
  let i = 0;
  const path: (string | number)[] = [];

  const syntax = (what: string): Refusal =>
    new Refusal([], `the body is not valid JSON: ${what} at position ${i}`);
  const unexpected = (): Refusal =>
    i >= text.length ? syntax('unexpected end') : syntax(`unexpected ${JSON.stringify(text[i])}`);

  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else return;
    }
  };

  const expect = (literal: string, value: unknown): unknown => {
    if (!text.startsWith(literal, i)) throw unexpected();
    i += literal.length;
    return value;
  };

  const digits = (): void => {
    const from = i;
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(i)) i++;
    if (i === from) throw unexpected();
  };

  const number = (): number => {
    const start = i;
    if (text.charCodeAt(i) === 45) i++;
    if (text.charCodeAt(i) === 48) i++;
    else digits();
    let plain = true;
    if (text.charCodeAt(i) === 46) {
      i++;
      digits();
      plain = false;
    }
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      digits();
      plain = false;
    }
    const raw = text.slice(start, i);
    const value = Number(raw);
    // Up to 15 digits an integer is always exact: the common case skips the decimal comparison.
    if (plain && i - start <= 15) return value;
    const problem = numberProblem(raw, value);
    if (problem) throw new Refusal([...path], problem);
    return value;
  };

  const string = (): string => {
    const start = i;
    i++; // the opening quote
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i += 2;
      } else if (c < 32 || Number.isNaN(c)) {
        throw Number.isNaN(c) ? syntax('unterminated string') : syntax('a control character in a string');
      } else i++;
    }
    i++; // the closing quote
    if (!escaped) return text.slice(start + 1, i - 1);
    try {
      // Escapes are rare in these bodies: the engine's own parser decodes them exactly.
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      throw syntax('a bad escape in a string');
    }
  };

  const value = (depth: number): unknown => {
    skipSpace();
    const c = text.charCodeAt(i);
    if (c === 34) return string();
    if (c === 123 || c === 91) {
      // Says which limit: a client told "32" for params at one depth and "64" at another would not
      // know which holds. This one is the whole body's; the API's params and context have their own.
      if (depth > maxDepth)
        throw new Refusal(
          [...path],
          `nested deeper than ${maxDepth} levels: the most a request body may nest`,
        );
      return c === 123 ? object(depth) : array(depth);
    }
    if (c === 45 || (c >= 48 && c <= 57)) return number();
    if (c === 116) return expect('true', true);
    if (c === 102) return expect('false', false);
    if (c === 110) return expect('null', null);
    throw unexpected();
  };

  const object = (depth: number): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    i++;
    skipSpace();
    if (text.charCodeAt(i) === 125) {
      i++;
      return result;
    }
    for (;;) {
      skipSpace();
      if (text.charCodeAt(i) !== 34) throw unexpected();
      const key = string();
      if (Object.hasOwn(result, key))
        throw new Refusal([...path, key], 'this key appears more than once in its object');
      skipSpace();
      if (text.charCodeAt(i) !== 58) throw unexpected();
      i++;
      path.push(key);
      const item = value(depth + 1);
      path.pop();
      // An own "__proto__" property, as JSON.parse makes it; plain assignment would set the prototype.
      if (key === '__proto__')
        Object.defineProperty(result, key, {
          value: item,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else result[key] = item;
      skipSpace();
      const next = text.charCodeAt(i++);
      if (next === 125) return result;
      if (next !== 44) {
        i--;
        throw unexpected();
      }
    }
  };

  const array = (depth: number): unknown[] => {
    const result: unknown[] = [];
    i++;
    skipSpace();
    if (text.charCodeAt(i) === 93) {
      i++;
      return result;
    }
    for (;;) {
      path.push(result.length);
      result.push(value(depth + 1));
      path.pop();
      skipSpace();
      const next = text.charCodeAt(i++);
      if (next === 93) return result;
      if (next !== 44) {
        i--;
        throw unexpected();
      }
    }
  };

  try {
    const parsed = value(1);
    skipSpace();
    if (i < text.length) throw unexpected();
    return { ok: true, value: parsed };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { ok: false, problem: { path: pathText(error.at), message: error.message } };
  }
}

/**
 * The path of the first number in `value` that the server would refuse (see `numberProblem`), and
 * why; for clients that build bodies with JSON.stringify, whose doubles always print exactly but may
 * lie beyond ±(2^53−1).
 */
export function unsafeNumber(value: unknown, at: (string | number)[] = []): StrictJsonProblem | undefined {
  if (typeof value === 'number') {
    const problem = numberProblem(String(value), value);
    return problem ? { path: pathText(at), message: problem } : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  for (const [key, item] of entries) {
    const found = unsafeNumber(item, [...at, key]);
    if (found) return found;
  }
  return undefined;
}
