import fc from 'fast-check';

/** A JSON Schema node as @hono/zod-openapi writes it into /openapi.json (only what generation needs). */
export type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
};

export type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};
export type Operation = {
  parameters?: Array<{ name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};

/** A request as the fuzzer sends it: everything as text, so it can be anything a client could send. */
export type Case = { method: string; path: string; headers: Record<string, string>; body?: string };

/** A fragment of JSON text; raw so it can say what JSON.stringify never would (1e-400, 2^64). */
type Raw = string;

const RAW_NUMBERS = [
  '1234567890123456789',
  '-9007199254740993',
  '1e-400',
  '1e400',
  '-0',
  '0.30000000000000004441',
  '1.0',
  '1e0',
  '123456789012345678901234567890',
  '0.1',
];
const ODD_STRINGS = [
  '',
  ' ',
  '\u212Aim@example.com', // the Kelvin sign, which lower-cases into a plain k
  'customers/../customers/eu',
  '/customers/eu',
  'customers/./eu',
  'a\u0000b',
  '\u202Eevil',
  '\uD800',
  '\uFEFF',
  'ﬀ',
  '𝔡𝔢𝔭𝔩𝔬𝔶',
  'x'.repeat(5_000),
  '{{7*7}}',
  '__proto__',
  'constructor',
  'http://user:pass@127.0.0.1:1/hook',
  'http://127.0.0.1:1/hook',
  'act_00000000000000000000000000',
  'sha256:0000',
];

export const oddValue: fc.Arbitrary<Raw> = fc.oneof(
  fc.constantFrom(...RAW_NUMBERS),
  fc.constantFrom(...ODD_STRINGS).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.constantFrom('null', 'true', '[]', '{}', '{"__proto__":{"admin":true}}'),
  fc.integer({ min: 2, max: 3_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
);

function resolve(schema: Schema, doc: OpenApi): Schema {
  const ref = schema.$ref?.replace('#/components/schemas/', '');
  return ref ? resolve(doc.components?.schemas?.[ref] ?? {}, doc) : schema;
}

/** A value of the schema's shape: what a careful client would send. */
export function validOf(schema: Schema, doc: OpenApi, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => validOf(a, doc, depth + 1)));
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? 'null') : s.type;
  switch (type) {
    case 'object': {
      if (!s.properties || depth > 3)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 });
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, prop] of Object.entries(s.properties)) model[name] = validOf(prop, doc, depth + 1);
      return fc.record(model, { requiredKeys: s.required ?? [] });
    }
    case 'array':
      return fc.array(validOf(s.items ?? {}, doc, depth + 1), { maxLength: 3 });
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string':
      if (s.format === 'date-time')
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      if (s.format === 'uri') return fc.constant('http://127.0.0.1:9/hook');
      return fc.stringMatching(/^[a-z][a-z0-9.]{0,14}$/).filter((x) => x.length >= (s.minLength ?? 0));
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Every place in a value where one field can be perturbed: its key path from the root. */
function fieldPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [];
  const out: string[][] = [];
  for (const [k, v] of Object.entries(value)) {
    out.push([...prefix, k]);
    out.push(...fieldPaths(v, [...prefix, k]));
  }
  return out;
}

const PLACEHOLDER = '@@countersign-fuzz-raw@@';

/** One field replaced with `raw`, the rest serialised as JSON.stringify would. */
function withField(value: unknown, path: string[], raw: Raw): string {
  const copy = structuredClone(value) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1) ?? ''] = PLACEHOLDER;
  return JSON.stringify(copy).replace(JSON.stringify(PLACEHOLDER), raw);
}

function withoutField(value: unknown, path: string[]): string {
  const copy = structuredClone(value) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  delete at[path.at(-1) ?? ''];
  return JSON.stringify(copy);
}

/** The value as JSON text with one thing wrong: a field replaced, dropped, duplicated or added. */
export function perturbed(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return valid.chain((v) => {
    const paths = fieldPaths(v);
    const text = JSON.stringify(v) ?? 'null';
    const isObject = text.startsWith('{') && text !== '{}';
    const perturbations: fc.Arbitrary<string>[] = [
      fc.constant(text),
      // A duplicate key: a lax parser keeps the last copy, so the first can hide what is checked.
      fc
        .tuple(
          fc.constantFrom('action', 'decision', 'token', 'digest', 'code', 'params', 'type', 'user'),
          oddValue,
        )
        .map(([k, raw]) => (isObject ? `{"${k}":${raw},${text.slice(1)}` : text)),
      fc
        .tuple(fc.string({ maxLength: 12 }), oddValue)
        .map(([k, raw]) => (isObject ? `{${JSON.stringify(k)}:${raw},${text.slice(1)}` : text)),
    ];
    if (paths.length > 0) {
      perturbations.push(
        fc.tuple(fc.constantFrom(...paths), oddValue).map(([path, raw]) => withField(v, path, raw)),
        fc.constantFrom(...paths).map((path) => withoutField(v, path)),
      );
    }
    return fc.oneof(...perturbations);
  });
}

export const garbage: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', 'null', '[]', '"x"', '{', '{"a":1,}', '\uFEFF{}', 'undefined', '{"a":1}{"b":2}'),
  oddValue,
);

/** A body of the right shape with one thing wrong, or plain garbage. */
export function bodyOf(schema: Schema | undefined, doc: OpenApi): fc.Arbitrary<string> {
  if (!schema) return garbage;
  return fc.oneof(
    { weight: 3, arbitrary: perturbed(validOf(schema, doc)) },
    { weight: 1, arbitrary: garbage },
  );
}

/** encodeURIComponent, except that a lone surrogate becomes its raw UTF-8 bytes instead of a throw. */
export function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

export const contentTypes = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/jsonx',
  '',
);

/** Path segment values: real ids, near-ids and things a URL parser may choke on. */
export function segmentOf(realIds: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...realIds),
    fc.constantFrom(
      '%',
      '%zz',
      '..',
      '%2e%2e',
      '%2F',
      'a'.repeat(300),
      '%F0%9F%92%A9',
      '%00',
      '%C0%AE',
      'act_',
    ),
    fc.string({ unit: 'binary', maxLength: 40 }).map(encode),
  );
}

/**
 * Query values. `wait` is held to values that answer at once, so one long-poll cannot stall a batch.
 */
export function queryValueOf(name: string, schema: Schema | undefined, doc: OpenApi): fc.Arbitrary<string> {
  if (name === 'wait')
    return fc.constantFrom('0', '-1', '61', 'abc', '', 'NaN', 'Infinity', '1e400', '0.001');
  const plain = schema
    ? validOf(schema, doc).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    : fc.string();
  return fc.oneof(
    plain,
    fc.constantFrom(...ODD_STRINGS.slice(0, 12)),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
}
