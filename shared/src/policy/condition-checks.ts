import { isScalar } from 'yaml';
import { compileCondition } from './condition';
import { closestKey, type PolicyProblem } from './problem';
import type { Path, YamlSource } from './yaml-source';
import { isRaw, pathLabel, problemAt } from './yaml-source';

/**
 * Where `offset` (into the condition's text) lies in the file. Exact for a plain or quoted scalar on
 * one line and for a `|` block; a folded or multi-line quoted scalar points at its start instead.
 */
function positionOf(source: YamlSource, path: Path, offset: number): { line: number; column: number } {
  const start = problemAt(source, path, '');
  const node = source.doc.getIn(path, true);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return start;
  const before = node.value.slice(0, offset);
  const newlines = before.split('\n').length - 1;
  if (node.type === 'PLAIN' || node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') {
    const raw = source.text.slice(node.range[0], node.range[1]);
    if (newlines > 0 || raw.includes('\n')) return start;
    // A quote doubled or escaped makes the text longer than the value; then only the start is sure.
    const quote = node.type === 'PLAIN' ? 0 : 1;
    if (raw.length - 2 * quote !== node.value.length) return start;
    const { line, col } = source.lineCounter.linePos(node.range[0] + quote + offset);
    return { line, column: col };
  }
  if (node.type === 'BLOCK_LITERAL') {
    const headerLine = start.line;
    // The block's indentation is its first content line's; deeper lines keep the rest in the value.
    const firstLine = source.lineCounter.lineStarts[headerLine];
    if (firstLine === undefined) return start;
    const indent = /^ */.exec(source.text.slice(firstLine))?.[0].length ?? 0;
    const column = offset - (before.lastIndexOf('\n') + 1);
    return { line: headerLine + 1 + newlines, column: indent + column + 1 };
  }
  return start;
}

/**
 * Every rule's `when:` compiled and type-checked, its problems at their place in the file.
 * `requester.groups` holds only this policy's groups, so `"name" in requester.groups` naming any
 * other is never true: a typo that would quietly turn the rule off, reported like an unknown approver.
 */
export function conditionChecks(
  source: YamlSource,
  rules: unknown[],
  groups: readonly string[],
): PolicyProblem[] {
  return rules.flatMap((rule, i): PolicyProblem[] => {
    if (!isRaw(rule) || typeof rule.when !== 'string' || rule.when.trim() === '') return [];
    const path = ['rules', i, 'when'];
    const result = compileCondition(rule.when);
    const at = (offset: number, message: string): PolicyProblem => {
      const { line, column } = positionOf(source, path, offset);
      return { file: source.file, line, column, message: `${pathLabel(path)}: ${message}` };
    };
    if (!result.ok) return [at(result.offset, result.message)];
    return result.groupsNamed
      .filter(({ name }) => !groups.includes(name))
      .map(({ name, offset }) => {
        const hint = closestKey(name, [...groups]);
        const known = groups.join(', ') || 'none are defined';
        return at(
          offset,
          `"${name}" in requester.groups is never true: requester.groups holds this policy's groups, and "${name}" is not one (${hint ? `did you mean "${hint}"? ` : ''}groups: ${known})`,
        );
      });
  });
}
