import type { parse } from '@bufbuild/cel';
import { closestKey } from './problem';

type Expr = ReturnType<typeof parse>['expr'];

/**
 * A type checker for the CEL a `when:` may use. @bufbuild/cel 0.6 plans and runs expressions but its
 * checker is not exported (and does not yet handle calls), so a typo such as `parms.rows` or
 * `environment == 1` would only surface as an error on a live request. This one knows the variables
 * a condition sees and the functions the environment registers, refuses anything else at load, and
 * bounds the expression's size so evaluation stays cheap.
 */

export type CelKind =
  | 'string'
  | 'int'
  | 'uint'
  | 'double'
  | 'bool'
  | 'bytes'
  | 'null'
  | 'timestamp'
  | 'duration'
  | 'dyn'
  | 'list'
  | 'strings'
  | 'map'
  | 'requester'
  | 'type';

export const CONDITION_VARIABLES: Record<string, CelKind> = {
  action: 'string',
  resource: 'string',
  environment: 'string',
  params: 'map',
  context: 'map',
  requester: 'requester',
  source: 'string',
  now: 'timestamp',
};
const REQUESTER_FIELDS: Record<string, CelKind> = {
  id: 'string',
  kind: 'string',
  owner: 'string',
  groups: 'strings',
};

/** Bounds on what one condition may cost: its text, its tree, and loops inside loops. */
export const CONDITION_LIMITS = { chars: 1000, nodes: 200, depth: 24, nestedLoops: 1 };

export class ConditionTypeError extends Error {
  constructor(
    readonly exprId: bigint,
    message: string,
  ) {
    super(message);
  }
}

const NUMERIC = new Set<CelKind>(['int', 'uint', 'double']);
const STRING_METHODS: Record<string, { args: CelKind[][]; result: CelKind }> = {
  contains: { args: [['string']], result: 'bool' },
  startsWith: { args: [['string']], result: 'bool' },
  endsWith: { args: [['string']], result: 'bool' },
  matches: { args: [['string']], result: 'bool' },
  lowerAscii: { args: [[]], result: 'string' },
  upperAscii: { args: [[]], result: 'string' },
  trim: { args: [[]], result: 'string' },
  indexOf: { args: [['string'], ['string', 'int']], result: 'int' },
  lastIndexOf: { args: [['string'], ['string', 'int']], result: 'int' },
  substring: { args: [['int'], ['int', 'int']], result: 'string' },
  charAt: { args: [['int']], result: 'string' },
  replace: {
    args: [
      ['string', 'string'],
      ['string', 'string', 'int'],
    ],
    result: 'string',
  },
  split: { args: [['string'], ['string', 'int']], result: 'strings' },
};
const TIME_METHODS = [
  'getFullYear',
  'getMonth',
  'getDayOfYear',
  'getDayOfMonth',
  'getDate',
  'getDayOfWeek',
  'getHours',
  'getMinutes',
  'getSeconds',
  'getMilliseconds',
];
const CONVERSIONS: Record<string, CelKind> = {
  int: 'int',
  uint: 'uint',
  double: 'double',
  string: 'string',
  bool: 'bool',
  bytes: 'bytes',
  timestamp: 'timestamp',
  duration: 'duration',
  dyn: 'dyn',
  type: 'type',
};
const OPERATOR_WORDS: Record<string, string> = {
  '_==_': '==',
  '_!=_': '!=',
  '_<_': '<',
  '_<=_': '<=',
  '_>_': '>',
  '_>=_': '>=',
  '_+_': '+',
  '_-_': '-',
  '_*_': '*',
  '_/_': '/',
  '_%_': '%',
};

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

type Scope = Map<string, CelKind>;
type State = { nodes: number; loops: number };

const fits = (actual: CelKind, wanted: CelKind): boolean =>
  actual === wanted || actual === 'dyn' || wanted === 'dyn' || (wanted === 'list' && actual === 'strings');

function literalString(expr: Expr | undefined): string | undefined {
  const kind = expr?.exprKind;
  if (kind?.case !== 'constExpr') return undefined;
  const constant = kind.value.constantKind;
  return constant.case === 'stringValue' ? constant.value : undefined;
}

/** `requester.groups` itself (not a local variable that happens to be called requester). */
function isRequesterGroups(expr: Expr | undefined): boolean {
  const kind = expr?.exprKind;
  if (kind?.case !== 'selectExpr' || kind.value.field !== 'groups' || kind.value.testOnly) return false;
  const operand = kind.value.operand?.exprKind;
  return operand?.case === 'identExpr' && operand.value.name === 'requester';
}

function comparable(a: CelKind, b: CelKind): boolean {
  if (a === 'dyn' || b === 'dyn' || a === 'null' || b === 'null') return true;
  if (NUMERIC.has(a) && NUMERIC.has(b)) return true;
  if ((a === 'list' || a === 'strings') && (b === 'list' || b === 'strings')) return true;
  return a === b;
}

function arithmetic(op: string, a: CelKind, b: CelKind): CelKind | undefined {
  if (a === 'dyn' || b === 'dyn') return 'dyn';
  if (NUMERIC.has(a) && a === b) return op === '_%_' && a === 'double' ? undefined : a;
  if (op === '_+_') {
    if (a === 'string' && b === 'string') return 'string';
    if ((a === 'list' || a === 'strings') && (b === 'list' || b === 'strings')) return a === b ? a : 'list';
    if ((a === 'timestamp' && b === 'duration') || (a === 'duration' && b === 'timestamp'))
      return 'timestamp';
    if (a === 'duration' && b === 'duration') return 'duration';
  }
  if (op === '_-_') {
    if (a === 'timestamp' && b === 'timestamp') return 'duration';
    if (a === 'timestamp' && b === 'duration') return 'timestamp';
    if (a === 'duration' && b === 'duration') return 'duration';
  }
  return undefined;
}

export class ConditionChecker {
  private readonly state: State = { nodes: 0, loops: 0 };
  // `requester` itself, and its fields other than `groups`, as read: the difference is a read of groups.
  private requesterRefs = 0;
  private requesterOtherFields = 0;
  /** Group names tested with `"name" in requester.groups`, for the load to check they exist. */
  readonly groupsNamed: { name: string; exprId: bigint }[] = [];

  /**
   * Whether the checked condition may read `requester.groups` (directly, or through `requester`
   * passed on whole): the server computes a requester's groups only for a condition that does.
   */
  get readsGroups(): boolean {
    return this.requesterRefs > this.requesterOtherFields;
  }

  /** The condition's type (bool or dyn for a usable one); throws ConditionTypeError. */
  check(expr: Expr): CelKind {
    return this.visit(expr, new Map(), 0);
  }

  private fail(expr: Expr, message: string): never {
    throw new ConditionTypeError(expr.id, message);
  }

  private visit(expr: Expr, scope: Scope, depth: number): CelKind {
    this.state.nodes += 1;
    if (this.state.nodes > CONDITION_LIMITS.nodes)
      this.fail(expr, `too large: at most ${CONDITION_LIMITS.nodes} terms in a condition`);
    if (depth > CONDITION_LIMITS.depth)
      this.fail(expr, `nested too deeply: at most ${CONDITION_LIMITS.depth} levels in a condition`);
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return this.constant(expr, kind.value.constantKind.case);
      case 'identExpr':
        return this.ident(expr, kind.value.name, scope);
      case 'selectExpr': {
        const { operand, field, testOnly } = kind.value;
        if (!operand) return this.fail(expr, 'a field of nothing');
        const on = this.visit(operand, scope, depth + 1);
        if (on === 'requester') {
          const type = REQUESTER_FIELDS[field];
          if (field !== 'groups' && operand.exprKind.case === 'identExpr') this.requesterOtherFields += 1;
          if (type) return testOnly ? 'bool' : type;
          const hint = closestKey(field, Object.keys(REQUESTER_FIELDS));
          return this.fail(
            expr,
            `requester has no field "${field}"${hint ? ` (did you mean "${hint}"?)` : ''}; it has ${Object.keys(REQUESTER_FIELDS).join(', ')}`,
          );
        }
        if (on === 'map' || on === 'dyn') return testOnly ? 'bool' : 'dyn';
        return this.fail(expr, `a ${on} has no fields (".${field}")`);
      }
      case 'listExpr': {
        const items = kind.value.elements.map((e) => this.visit(e, scope, depth + 1));
        return items.length > 0 && items.every((t) => t === 'string') ? 'strings' : 'list';
      }
      case 'structExpr':
        if (kind.value.messageName !== '') return this.fail(expr, 'messages cannot be built in a condition');
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') this.visit(entry.keyKind.value, scope, depth + 1);
          if (entry.value) this.visit(entry.value, scope, depth + 1);
        }
        return 'map';
      case 'comprehensionExpr':
        return this.comprehension(expr, kind.value, scope, depth);
      case 'callExpr': {
        const { function: name, args, target } = kind.value;
        const argTypes = args.map((a) => this.visit(a, scope, depth + 1));
        const on = target ? this.visit(target, scope, depth + 1) : undefined;
        return this.call(expr, name, argTypes, on, args);
      }
      default:
        return this.fail(expr, 'an expression this server cannot read');
    }
  }

  private constant(expr: Expr, kind: string | undefined): CelKind {
    switch (kind) {
      case 'int64Value':
        return 'int';
      case 'uint64Value':
        return 'uint';
      case 'doubleValue':
        return 'double';
      case 'stringValue':
        return 'string';
      case 'boolValue':
        return 'bool';
      case 'bytesValue':
        return 'bytes';
      case 'nullValue':
        return 'null';
      default:
        return this.fail(expr, 'a constant this server cannot read');
    }
  }

  private ident(expr: Expr, name: string, scope: Scope): CelKind {
    const local = scope.get(name);
    if (local !== undefined) return local;
    const type = CONDITION_VARIABLES[name];
    if (type === 'requester') this.requesterRefs += 1;
    if (type) return type;
    const known = Object.keys(CONDITION_VARIABLES);
    const hint = closestKey(name, known);
    return this.fail(
      expr,
      `unknown name "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; a condition sees ${known.join(', ')}`,
    );
  }

  private comprehension(
    expr: Expr,
    c: Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'],
    scope: Scope,
    depth: number,
  ): CelKind {
    const { iterRange, accuInit, loopCondition, loopStep, result } = c;
    if (!iterRange || !accuInit || !loopCondition || !loopStep || !result)
      return this.fail(expr, 'an incomplete macro');
    const range = this.visit(iterRange, scope, depth + 1);
    if (!['list', 'strings', 'map', 'dyn'].includes(range))
      return this.fail(iterRange, `cannot loop over a ${range}`);
    if (this.state.loops >= CONDITION_LIMITS.nestedLoops)
      return this.fail(
        expr,
        'a loop (exists, all, map, filter) inside another is not allowed: it costs too much',
      );
    this.state.loops += 1;
    const inner: Scope = new Map(scope);
    inner.set(c.iterVar, range === 'strings' || range === 'map' ? 'string' : 'dyn');
    if (c.iterVar2) inner.set(c.iterVar2, 'dyn');
    inner.set(c.accuVar, this.visit(accuInit, scope, depth + 1));
    this.visit(loopCondition, inner, depth + 1);
    this.visit(loopStep, inner, depth + 1);
    this.state.loops -= 1;
    // The loop's own variable is gone by the result, the accumulator is not.
    const after: Scope = new Map(scope);
    after.set(c.accuVar, inner.get(c.accuVar) ?? 'dyn');
    return this.visit(result, after, depth + 1);
  }

  private call(expr: Expr, name: string, args: CelKind[], on: CelKind | undefined, raw: Expr[]): CelKind {
    const [a = 'dyn', b = 'dyn', c = 'dyn'] = args;
    const words = OPERATOR_WORDS[name] ?? name;
    switch (name) {
      case '_&&_':
      case '_||_':
        if (!fits(a, 'bool') || !fits(b, 'bool'))
          return this.fail(
            expr,
            `${name === '_&&_' ? '&&' : '||'} joins true/false values, not ${a} and ${b}`,
          );
        return 'bool';
      case '!_':
      case '@not_strictly_false':
        if (!fits(a, 'bool')) return this.fail(expr, `! negates a true/false value, not a ${a}`);
        return 'bool';
      case '_?_:_':
        if (!fits(a, 'bool')) return this.fail(expr, `the test of ? : must be true or false, not a ${a}`);
        return b === c ? b : 'dyn';
      case '_==_':
      case '_!=_':
        if (!comparable(a, b)) return this.fail(expr, `cannot compare a ${a} with a ${b} (${words})`);
        return 'bool';
      case '_<_':
      case '_<=_':
      case '_>_':
      case '_>=_': {
        const ordered = ['int', 'uint', 'double', 'string', 'timestamp', 'duration', 'bool', 'bytes', 'dyn'];
        if (!ordered.includes(a) || !ordered.includes(b) || !comparable(a, b))
          return this.fail(expr, `cannot order a ${a} against a ${b} (${words})`);
        return 'bool';
      }
      case '_+_':
      case '_-_':
      case '_*_':
      case '_/_':
      case '_%_':
        return arithmetic(name, a, b) ?? this.fail(expr, `no ${words} for a ${a} and a ${b}`);
      case '-_':
        if (!NUMERIC.has(a) && a !== 'dyn' && a !== 'duration')
          return this.fail(expr, `cannot negate a ${a}`);
        return a;
      case '_[_]':
        if (a === 'strings' && fits(b, 'int')) return 'string';
        if (a === 'list' && fits(b, 'int')) return 'dyn';
        if (a === 'map' || a === 'dyn') return 'dyn';
        return this.fail(expr, `cannot index a ${a} with a ${b}`);
      case '@in': {
        if (!['list', 'strings', 'map', 'dyn'].includes(b))
          return this.fail(expr, `"in" needs a list or map, not a ${b}`);
        const name = literalString(raw[0]);
        if (name !== undefined && raw[0] && isRequesterGroups(raw[1]))
          this.groupsNamed.push({ name, exprId: raw[0].id });
        return 'bool';
      }
      case 'size':
        if (![on ?? a].every((t) => ['string', 'bytes', 'list', 'strings', 'map', 'dyn'].includes(t)))
          return this.fail(expr, `size() of a ${on ?? a}`);
        return 'int';
      case 'weekday':
      case 'hour':
        if (on !== undefined || args.length !== 2 || !fits(a, 'timestamp') || !fits(b, 'string'))
          return this.fail(expr, `${name}(timestamp, "Time/Zone") takes a time and an IANA time zone name`);
        this.timeZoneLiteral(expr, raw[1]);
        return name === 'weekday' ? 'string' : 'int';
    }
    if (on === undefined && Object.hasOwn(CONVERSIONS, name)) {
      if (args.length !== 1) return this.fail(expr, `${name}() takes one argument`);
      return CONVERSIONS[name] ?? 'dyn';
    }
    if (on === undefined && name === 'matches' && args.length === 2) {
      if (!fits(a, 'string') || !fits(b, 'string'))
        return this.fail(expr, 'matches(text, pattern) takes two strings');
      return 'bool';
    }
    if (on !== undefined && TIME_METHODS.includes(name)) {
      if (!fits(on, 'timestamp') && !fits(on, 'duration'))
        return this.fail(expr, `${name}() is a method of a timestamp, not of a ${on}`);
      if (args.length > 1 || !args.every((t) => fits(t, 'string')))
        return this.fail(expr, `${name}() takes at most one argument, a time zone name`);
      this.timeZoneLiteral(expr, raw[0]);
      return 'int';
    }
    const method = STRING_METHODS[name];
    if (on !== undefined && method) {
      if (name === 'join' || !fits(on, 'string'))
        return this.fail(expr, `${name}() is a method of a string, not of a ${on}`);
      const shape = method.args.find(
        (s) => s.length === args.length && s.every((t, i) => fits(args[i] ?? 'dyn', t)),
      );
      if (!shape) {
        const wanted = method.args.map((s) => `(${s.join(', ')})`).join(' or ');
        return this.fail(expr, `${name}() takes ${wanted}, not (${args.join(', ')})`);
      }
      return method.result;
    }
    if (on !== undefined && name === 'join') {
      if (!fits(on, 'list')) return this.fail(expr, `join() is a method of a list, not of a ${on}`);
      return 'string';
    }
    const known = [
      'size',
      'matches',
      'weekday',
      'hour',
      ...Object.keys(CONVERSIONS),
      ...Object.keys(STRING_METHODS),
      ...TIME_METHODS,
    ];
    const hint = closestKey(name, known);
    return this.fail(expr, `unknown function "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }

  private timeZoneLiteral(expr: Expr, arg: Expr | undefined): void {
    const zone = literalString(arg);
    if (zone !== undefined && !isTimeZone(zone))
      this.fail(arg ?? expr, `"${zone}" is not an IANA time zone name (such as Europe/Paris or UTC)`);
  }
}
