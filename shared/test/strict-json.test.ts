import { describe, expect, it } from 'vitest';
import { numberProblem, parseStrictJson, unsafeNumber } from '../src/strict-json';

const refused = (text: string) => {
  const result = parseStrictJson(text);
  if (result.ok) throw new Error(`accepted ${text}`);
  return result.problem;
};

describe('numbers that a double holds exactly', () => {
  it.each([
    '0',
    '-0',
    '1',
    '1.0',
    '1e0',
    '1E+0',
    '0.1',
    '0.10',
    '10e-1',
    '100e-2',
    '0.3',
    '123.456',
    '-42.5e3',
    '1.5e-7',
    '5e-324',
    '9007199254740991',
    '-9007199254740991',
    '0e999999999999999999999',
    '0.000001',
    '1234567.125',
  ])('accepts %s with the value JSON.parse gives', (text) => {
    expect(parseStrictJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
    expect(numberProblem(text)).toBeUndefined();
  });
});

describe('numbers that a double would change', () => {
  it.each([
    ['0.3000000000000000444', 'rounded to 0.30000000000000004'],
    ['0.30000000000000004440892098500626', 'rounded'],
    ['1e-400', 'rounded to 0'],
    ['-1e-400', 'rounded to 0'],
    ['1e400', '2^53'],
    ['9007199254740992', '2^53'],
    ['9007199254740993', '2^53'],
    ['-9007199254740992', '2^53'],
    ['1234567890123456789', '2^53'],
    ['1234567890123456800', '2^53'],
    ['1e300', '2^53'],
    ['0.1000000000000000000000000001', 'rounded to 0.1'],
    ['4.9e-324', 'rounded to 5e-324'],
  ])('refuses %s, saying send it as a string', (text, why) => {
    const problem = refused(`{"params":{"n":[1,${text}]}}`);
    expect(problem.path).toBe('params.n.1');
    expect(problem.message).toContain(why);
    expect(problem.message).toContain('send it as a string');
  });

  it('names the body itself when the body is the number', () => {
    expect(refused('1e-400').path).toBe('(body)');
  });
});

describe('duplicate keys', () => {
  it('refuses a repeated key at the top, naming it', () => {
    const problem = refused('{"action":"aws.s3.getObject","action":"db.export"}');
    expect(problem).toEqual({ path: 'action', message: 'this key appears more than once in its object' });
  });

  it('refuses a repeated key deep inside, naming its path', () => {
    expect(refused('{"params":{"a":[{"x":1},{"x":1,"y":2,"x":3}]}}').path).toBe('params.a.1.x');
  });

  it('treats keys that are equal after unescaping as the same key', () => {
    expect(refused('{"ab":1,"a\\u0062":2}').path).toBe('ab');
  });

  it('keeps keys that only look alike, and "__proto__" as an own key as JSON.parse does', () => {
    const text = '{"a":1,"A":2,"__proto__":{"x":1},"constructor":3}';
    const result = parseStrictJson(text);
    expect(result).toEqual({ ok: true, value: JSON.parse(text) });
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(Object.keys(result.value as object)).toEqual(['a', 'A', '__proto__', 'constructor']);
  });
});

describe('everything else JSON.parse does', () => {
  it.each([
    '{}',
    '[]',
    ' { "a" : [ 1 , 2 , { } ] , "b" : null , "c" : true , "d" : false } ',
    '"plain"',
    '"esc\\"aped \\\\ \\n \\u00e9 \\ud83d\\ude00"',
    '{"k":"\\ud800"}',
    '[[[[["deep"]]]]]',
    '{"emoji":"😀","é":"ü"}',
  ])('parses %s as JSON.parse does', (text) => {
    expect(parseStrictJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it.each([
    '',
    ' ',
    '{',
    '{"a"}',
    '{"a":1,}',
    '[1,]',
    '[1 2]',
    '01',
    '1.',
    '.5',
    '-',
    '+1',
    '1e',
    'NaN',
    'Infinity',
    'tru',
    '"open',
    '"tab\there"',
    '"bad \\x escape"',
    "{'a':1}",
    '{"a":1} x',
    '\uFEFF{}',
  ])('refuses %j as not valid JSON, as JSON.parse does', (text) => {
    expect(() => JSON.parse(text)).toThrow();
    const problem = refused(text);
    expect(problem.path).toBe('(body)');
    expect(problem.message).toMatch(/^the body is not valid JSON: .+ at position \d+$/);
  });

  it('refuses nesting past the limit without exhausting the stack', () => {
    expect(refused('['.repeat(100_000)).message).toBe(
      'nested deeper than 64 levels: the most a request body may nest',
    );
    expect(parseStrictJson(`${'['.repeat(64)}${']'.repeat(64)}`).ok).toBe(true);
  });

  it('agrees with JSON.parse on many random bodies of safe values', () => {
    let seed = 20_250_101;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pick = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.3) return Math.round((random() - 0.5) * 1e6) / 10 ** Math.floor(random() * 6);
      if (r < 0.5)
        return `s${random().toString(36)}"\\\n${String.fromCharCode(Math.floor(random() * 0xd7ff))}`;
      if (r < 0.6) return [true, false, null][Math.floor(random() * 3)];
      if (r < 0.8) return Array.from({ length: Math.floor(random() * 4) }, () => pick(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, (_, k) => [`k${k}`, pick(depth + 1)]),
      );
    };
    for (let n = 0; n < 2000; n++) {
      const text = JSON.stringify(pick(0), null, n % 2 === 0 ? 2 : undefined);
      expect(parseStrictJson(text), text).toEqual({ ok: true, value: JSON.parse(text) });
    }
  });
});

describe('unsafeNumber, for clients that build bodies with JSON.stringify', () => {
  it('finds an integer beyond 2^53−1 and names its path', () => {
    expect(unsafeNumber({ params: { ids: [1, 2 ** 60] } })).toEqual({
      path: 'params.ids.1',
      message: expect.stringContaining('send it as a string'),
    });
  });

  it('passes every double a client can print inside the safe range', () => {
    expect(unsafeNumber({ a: 0.1 + 0.2, b: -0, c: 5e-324, d: [Number.MAX_SAFE_INTEGER] })).toBeUndefined();
  });
});
