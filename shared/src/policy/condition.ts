import type { CelInput, CelResult } from '@bufbuild/cel';
import { CelScalar, celEnv, celFunc, isCelError, mapType, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import {
  CONDITION_LIMITS,
  CONDITION_VARIABLES,
  ConditionChecker,
  ConditionTypeError,
} from './condition-check';
import { guardComparisons, strictCompareFuncs } from './strict-compare';

/** What a `when:` sees of a request. Absent strings are bound as "", so `environment == "prod"` is false. */
export type ConditionInput = {
  action: string;
  resource?: string | undefined;
  environment?: string | undefined;
  params?: Record<string, unknown> | undefined;
  context?: Record<string, unknown> | undefined;
  requester: { id: string; kind: string; owner?: string | undefined; groups: readonly string[] };
  source?: string | undefined;
  /** Milliseconds since the epoch. */
  now: number;
};

export type ConditionResult = { ok: true; value: boolean } | { ok: false; error: string };
export type CompiledCondition = {
  text: string;
  /** Whether it may read `requester.groups`: only then is a requester's membership worked out. */
  readsGroups: boolean;
  run(input: ConditionInput): ConditionResult;
};
export type ConditionCompileResult =
  | {
      ok: true;
      condition: CompiledCondition;
      /** The group names it tests with `"name" in requester.groups`, and where each is in `text`. */
      groupsNamed: { name: string; offset: number }[];
    }
  | { ok: false; offset: number; message: string };

/** Params and context larger than this are not handed to a condition: the rule reads as its stricter side. */
export const MAX_CONDITION_INPUT_BYTES = 64 * 1024;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function millisOf(value: unknown): number {
  // A timestamp arrives as a reflected google.protobuf.Timestamp.
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const message: unknown = value.message;
    if (typeof message === 'object' && message !== null && 'seconds' in message && 'nanos' in message) {
      const { seconds, nanos } = message;
      if (typeof seconds === 'bigint' && typeof nanos === 'number')
        return Number(seconds) * 1000 + Math.floor(nanos / 1e6);
    }
  }
  throw new Error('expected a timestamp such as now');
}

function partIn(ms: number, timeZone: string, part: 'weekday' | 'hour'): string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    ...(part === 'weekday' ? { weekday: 'short' } : { hour: 'numeric', hourCycle: 'h23' }),
  });
  return format.formatToParts(new Date(ms)).find((p) => p.type === part)?.value ?? '';
}

// Helpers for business hours, read in a named zone with Intl (CEL's getDayOfWeek(tz) counts from Sunday = 0).
const helpers = [
  celFunc('weekday', [CelScalar.DYN, CelScalar.STRING], CelScalar.STRING, (at, zone) => {
    const day = partIn(millisOf(at), zone, 'weekday');
    if (!WEEKDAYS.includes(day)) throw new Error(`no weekday in ${zone}`);
    return day;
  }),
  celFunc('hour', [CelScalar.DYN, CelScalar.STRING], CelScalar.INT, (at, zone) =>
    BigInt(Number.parseInt(partIn(millisOf(at), zone, 'hour'), 10)),
  ),
];

const env = celEnv({
  variables: Object.fromEntries(
    Object.entries(CONDITION_VARIABLES).map(([name, kind]) => [
      name,
      kind === 'string'
        ? CelScalar.STRING
        : kind === 'map' || kind === 'requester'
          ? mapType(CelScalar.STRING, CelScalar.DYN)
          : CelScalar.DYN,
    ]),
  ),
  funcs: [...strings, ...helpers, ...strictCompareFuncs],
});

function offsetOf(error: unknown): number {
  if (typeof error !== 'object' || error === null || !('location' in error)) return 0;
  const location: unknown = error.location;
  if (typeof location !== 'object' || location === null || !('start' in location)) return 0;
  const start: unknown = location.start;
  return typeof start === 'object' && start !== null && 'offset' in start && typeof start.offset === 'number'
    ? start.offset
    : 0;
}

function syntaxMessage(error: unknown): string {
  const raw =
    typeof error === 'object' && error !== null && 'rawMessage' in error ? error.rawMessage : undefined;
  return `CEL syntax error: ${typeof raw === 'string' ? raw : error instanceof Error ? error.message : String(error)}`;
}

function bytesOf(value: unknown): number {
  return value === undefined ? 0 : JSON.stringify(value).length;
}

/** Parses and type-checks a `when:`; `offset` is where in `text` a problem is. */
export function compileCondition(text: string): ConditionCompileResult {
  if (text.length > CONDITION_LIMITS.chars)
    return { ok: false, offset: 0, message: `too long: at most ${CONDITION_LIMITS.chars} characters` };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (error) {
    return { ok: false, offset: offsetOf(error), message: syntaxMessage(error) };
  }
  const positions = parsed.sourceInfo?.positions ?? {};
  const checker = new ConditionChecker();
  try {
    const type = checker.check(parsed.expr);
    if (type !== 'bool' && type !== 'dyn') {
      return {
        ok: false,
        offset: 0,
        message: `a condition must be true or false, and this one is a ${type}`,
      };
    }
  } catch (error) {
    if (error instanceof ConditionTypeError) {
      // The parser places an operator at the blank before it: point at the operator itself.
      let offset = positions[String(error.exprId)] ?? 0;
      while (offset < text.length && /\s/.test(text.charAt(offset))) offset += 1;
      return { ok: false, offset, message: error.message };
    }
    throw error;
  }
  // After the checker (which reads the expression as written): operands of different kinds error.
  guardComparisons(parsed.expr);
  const program = plan(env, parsed);
  const run = (input: ConditionInput): ConditionResult => {
    if (bytesOf(input.params) + bytesOf(input.context) > MAX_CONDITION_INPUT_BYTES)
      return { ok: false, error: `params and context exceed ${MAX_CONDITION_INPUT_BYTES} bytes` };
    const bindings: Record<string, CelInput> = {
      action: input.action,
      resource: input.resource ?? '',
      environment: input.environment ?? '',
      params: (input.params ?? {}) as CelInput,
      context: (input.context ?? {}) as CelInput,
      requester: {
        id: input.requester.id,
        kind: input.requester.kind,
        owner: input.requester.owner ?? '',
        groups: [...input.requester.groups],
      },
      source: input.source ?? '',
      now: {
        $typeName: 'google.protobuf.Timestamp',
        seconds: BigInt(Math.floor(input.now / 1000)),
        nanos: (input.now % 1000) * 1e6,
      } as CelInput,
    };
    let value: CelResult;
    try {
      value = program(bindings);
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (isCelError(value)) return { ok: false, error: value.message };
    if (typeof value !== 'boolean') return { ok: false, error: 'the condition did not answer true or false' };
    return { ok: true, value };
  };
  const groupsNamed = checker.groupsNamed.map(({ name, exprId }) => ({
    name,
    offset: positions[String(exprId)] ?? 0,
  }));
  return { ok: true, condition: { text, readsGroups: checker.readsGroups, run }, groupsNamed };
}
