import type { Document } from 'yaml';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { PolicyProblem } from './problem';
import { closestKey } from './problem';

export type Path = readonly PropertyKey[];
/** A map from the YAML data, before the schema has vouched for its shape. */
export type Raw = Record<string, unknown>;
export const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
export type YamlSource = {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  data: unknown;
  text: string;
};
// `missing` is set when the map at `depth` lacks the next key of the path.
type Located = { node: unknown; key: unknown; missing: string | undefined; depth: number };

/** Parses YAML, reporting syntax errors, duplicate keys and warnings with their positions. */
export function readYaml(
  text: string,
  file: string,
): { source: YamlSource | undefined; problems: PolicyProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): PolicyProblem => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, message };
  };
  const problems = [...doc.errors, ...doc.warnings].map((e) =>
    at(e.pos[0], e.code === 'DUPLICATE_KEY' ? `duplicate key "${keyText(text, e.pos)}"` : e.message),
  );
  // A duplicate key leaves a usable document; any other error may leave nonsense worth no further report.
  if (doc.errors.some((e) => e.code !== 'DUPLICATE_KEY')) return { source: undefined, problems };
  try {
    return { source: { file, doc, lineCounter, data: doc.toJS(), text }, problems };
  } catch (error) {
    problems.push(at(0, error instanceof Error ? error.message : String(error)));
    return { source: undefined, problems };
  }
}

function keyText(text: string, [start, end]: readonly [number, number]): string {
  const rest = text.slice(start, Math.max(end, start + 1) + 200);
  return (/^[^:\n]*/.exec(rest)?.[0] ?? '').trim();
}

/** A readable path for messages: `rules[2].match.action`. */
export function pathLabel(path: Path): string {
  return path
    .map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : `${i === 0 ? '' : '.'}${String(seg)}`))
    .join('');
}

function locate(source: YamlSource, path: Path): Located {
  let node: unknown = source.doc.contents;
  let key: unknown;
  for (const [depth, seg] of path.entries()) {
    if (isAlias(node)) node = node.resolve(source.doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return { node, key, missing: String(seg), depth };
      key = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      key = undefined;
      node = node.items[seg];
    } else {
      // A scalar the schema widened to a list (`action: x` for `[x]`): the scalar is the place.
      break;
    }
  }
  return { node, key, missing: undefined, depth: path.length };
}

function offsetOf(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = node.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

/** A problem at the node `path` names; `on: 'key'` points at its key instead of its value. */
export function problemAt(
  source: YamlSource,
  path: Path,
  message: string,
  on: 'value' | 'key' = 'value',
): PolicyProblem {
  const { node, key } = locate(source, path);
  const emptyValue = isScalar(node) && node.value === null;
  const target = on === 'key' || emptyValue || node === null ? (key ?? node) : node;
  const { line, col } = source.lineCounter.linePos(offsetOf(target) ?? 0);
  const label = pathLabel(path);
  return { file: source.file, line, column: col, message: label ? `${label}: ${message}` : message };
}

export function lineOf(source: YamlSource, path: Path): number {
  return problemAt(source, path, '').line;
}

/** Maps zod issues onto the YAML nodes they are about. `knownKeys` feeds "did you mean" hints. */
export function issueProblems(
  source: YamlSource,
  issues: readonly z.core.$ZodIssue[],
  knownKeys: (path: Path) => readonly string[],
): PolicyProblem[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => {
        const hint = closestKey(k, knownKeys(issue.path));
        const message = `unknown key "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
        return problemAt(source, [...issue.path, k], message, 'key');
      });
    }
    const { missing, depth } = locate(source, issue.path);
    if (missing !== undefined && depth === issue.path.length - 1) {
      // On the key that holds the incomplete map where there is one: a block map starts a line below it.
      return [problemAt(source, issue.path.slice(0, -1), `missing required key "${missing}"`, 'key')];
    }
    if (issue.code === 'invalid_key') {
      // zod puts the key schema's own message one level down.
      const message = issue.issues[0]?.message ?? issue.message;
      return [problemAt(source, issue.path, message, 'key')];
    }
    return [problemAt(source, issue.path, issue.message)];
  });
}
