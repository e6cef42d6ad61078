import { parse } from '@bufbuild/cel';

type Expr = ReturnType<typeof parse>['expr'];

/**
 * A rule's `when:` in words for reviewers: `params.rows > 10000` reads "params.rows is more than
 * 10000", `!params.bucket.endsWith(".corp-internal")` reads "params.bucket does not end with
 * ".corp-internal"". What it cannot say in words (a macro, arithmetic) it shows as written, so the
 * sentence is never wrong, only sometimes terse.
 */

const COMPARE: Record<string, [string, string]> = {
  '_==_': ['is', 'is not'],
  '_!=_': ['is not', 'is'],
  '_>_': ['is more than', 'is at most'],
  '_>=_': ['is at least', 'is less than'],
  '_<_': ['is less than', 'is at least'],
  '_<=_': ['is at most', 'is more than'],
};
const METHOD: Record<string, [string, string]> = {
  endsWith: ['ends with', 'does not end with'],
  startsWith: ['starts with', 'does not start with'],
  contains: ['contains', 'does not contain'],
  matches: ['matches', 'does not match'],
};

class Unsaid extends Error {}

function term(expr: Expr): string {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'identExpr':
      return kind.value.name;
    case 'selectExpr':
      if (!kind.value.operand || kind.value.testOnly) throw new Unsaid();
      return `${term(kind.value.operand)}.${kind.value.field}`;
    case 'constExpr': {
      const c = kind.value.constantKind;
      if (c.case === 'stringValue') return JSON.stringify(c.value);
      if (c.case === 'nullValue') return 'null';
      if (c.case === undefined || c.case === 'bytesValue') throw new Unsaid();
      return String(c.value);
    }
    case 'listExpr':
      return `[${kind.value.elements.map(term).join(', ')}]`;
    case 'callExpr': {
      const { function: name, args, target } = kind.value;
      if (name === 'size' && args.length === 1 && args[0]) return `the size of ${term(args[0])}`;
      if (name === 'size' && target && args.length === 0) return `the size of ${term(target)}`;
      if ((name === 'weekday' || name === 'hour') && args[0] && args[1])
        return `the ${name === 'weekday' ? 'weekday' : 'hour'} in ${term(args[1]).replaceAll('"', '')}`;
      throw new Unsaid();
    }
    default:
      throw new Unsaid();
  }
}

function sentence(expr: Expr, negated: boolean): string {
  const kind = expr.exprKind;
  if (kind.case === 'constExpr' && kind.value.constantKind.case === 'boolValue')
    return String(kind.value.constantKind.value !== negated);
  if (kind.case === 'selectExpr' || kind.case === 'identExpr')
    return `${term(expr)} is ${negated ? 'not true' : 'true'}`;
  if (kind.case !== 'callExpr') throw new Unsaid();
  const { function: name, args, target } = kind.value;
  const [a, b] = args;
  if (name === '!_' && a) return sentence(a, !negated);
  if ((name === '_&&_' || name === '_||_') && a && b) {
    // De Morgan, so "not (a and b)" reads as the reviewer would say it.
    const and = (name === '_&&_') !== negated;
    return `${clause(a, negated, name)} ${and ? 'and' : 'or'} ${clause(b, negated, name)}`;
  }
  const compare = COMPARE[name];
  if (compare && a && b) {
    const constant = b.exprKind.case === 'constExpr' ? b.exprKind.value.constantKind : undefined;
    if (constant?.case === 'boolValue' && (name === '_==_' || name === '_!=_')) {
      return sentence(a, (negated !== (name === '_!=_')) !== !constant.value);
    }
    return `${term(a)} ${compare[negated ? 1 : 0]} ${term(b)}`;
  }
  const method = METHOD[name];
  if (method && target && a) return `${term(target)} ${method[negated ? 1 : 0]} ${term(a)}`;
  if (name === '@in' && a && b) {
    // The policy's own groups: say what it means for the person, not which list holds the name.
    if (term(b) === 'requester.groups')
      return `the requester is ${negated ? 'not ' : ''}in the group ${term(a)}`;
    return `${term(a)} is ${negated ? 'not ' : ''}one of ${term(b)}`;
  }
  throw new Unsaid();
}

/**
 * A side of "and"/"or", bracketed when it joins with the other word, so the sentence keeps its
 * grouping; `a || b || c` needs none (negation turns both joiners alike, so comparing names suffices).
 */
function clause(expr: Expr, negated: boolean, joiner: string): string {
  const kind = expr.exprKind;
  const mixed =
    kind.case === 'callExpr' &&
    (kind.value.function === '_&&_' || kind.value.function === '_||_') &&
    kind.value.function !== joiner;
  const text = sentence(expr, negated);
  return mixed ? `(${text})` : text;
}

export function conditionInWords(condition: string): string {
  try {
    return sentence(parse(condition).expr, false);
  } catch {
    return condition;
  }
}
