import type { CelValue } from '@bufbuild/cel';
import { CelScalar, celFunc, celType, isCelList, isCelMap, isCelUint, parse } from '@bufbuild/cel';

type Expr = ReturnType<typeof parse>['expr'];

/**
 * CEL's `==`, `!=` and `in` answer false when their operands are of different types: `params.pii ==
 * true` is simply false for `"pii": "true"` or `"pii": 1`, so a review rule would silently not match and
 * a weaker rule would decide. A condition is type-checked at load, but params are only known at run
 * time. So every such comparison is rewritten once, at compile time, to pass its left operand through
 * a guard that raises an evaluation error when the two sides are of different kinds; the rule then
 * fails closed like any other evaluation error (a review or deny rule matches, an allow rule does not).
 *
 * Kinds: int, uint and double are one kind (CEL compares numbers across them, and JSON numbers arrive
 * as doubles); null compares with anything (`params.x != null` stays a presence test); for `in`, each
 * element of a list (or key of a map) is compared with the value looked for.
 */
const SAME = '__countersign_same_kind';
const MEMBER = '__countersign_member_kind';

function kindOf(value: CelValue): string {
  if (typeof value === 'number' || typeof value === 'bigint' || isCelUint(value)) return 'number';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (isCelList(value)) return 'list';
  if (isCelMap(value)) return 'map';
  return celType(value).name;
}

function describe(value: CelValue): string {
  const kind = kindOf(value);
  return kind === 'string' ? `the string ${JSON.stringify(value)}` : `a ${kind}`;
}

function mismatch(left: CelValue, right: CelValue): boolean {
  if (left === null || right === null) return false;
  return kindOf(left) !== kindOf(right);
}

export const strictCompareFuncs = [
  celFunc(SAME, [CelScalar.DYN, CelScalar.DYN], CelScalar.DYN, (left, right) => {
    if (mismatch(left, right)) throw new Error(`cannot compare ${describe(left)} with ${describe(right)}`);
    return left;
  }),
  celFunc(MEMBER, [CelScalar.DYN, CelScalar.DYN], CelScalar.DYN, (item, collection) => {
    const members = isCelList(collection)
      ? [...collection]
      : isCelMap(collection)
        ? [...collection.keys()]
        : [];
    const other = members.find((member) => mismatch(item, member));
    if (other !== undefined)
      throw new Error(`cannot look for ${describe(item)} among values such as ${describe(other)}`);
    return item;
  }),
];

const GUARDS: Record<string, string> = { '_==_': SAME, '_!=_': SAME, '@in': MEMBER };

/** A call node `guard(a, b)` from the parser itself, so that it has the shape the planner expects. */
function guardCall(guard: string, left: Expr, right: Expr): Expr | undefined {
  const call = parse(`${guard}(a, b)`).expr;
  if (call?.exprKind.case !== 'callExpr') return undefined;
  call.exprKind.value.args = [left, right];
  return call;
}

/** Rewrites every `==`, `!=` and `in` under `expr` in place (see above). */
export function guardComparisons(expr: Expr | undefined): void {
  if (!expr) return;
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      guardComparisons(kind.value.operand);
      return;
    case 'listExpr':
      for (const element of kind.value.elements) guardComparisons(element);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') guardComparisons(entry.keyKind.value);
        guardComparisons(entry.value);
      }
      return;
    case 'comprehensionExpr': {
      const c = kind.value;
      for (const part of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result])
        guardComparisons(part);
      return;
    }
    case 'callExpr': {
      const call = kind.value;
      guardComparisons(call.target);
      for (const arg of call.args) guardComparisons(arg);
      const guard = GUARDS[call.function];
      const [left, right] = call.args;
      if (guard === undefined || call.target !== undefined || call.args.length !== 2 || !left || !right)
        return;
      const guarded = guardCall(guard, left, right);
      if (guarded) call.args = [guarded, right];
      return;
    }
    default:
      return;
  }
}
