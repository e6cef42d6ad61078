import type { PolicyProblem } from './problem';
import type { YamlSource } from './yaml-source';
import { isRaw, lineOf, problemAt } from './yaml-source';

const URL_GROUP = /:([A-Za-z_][A-Za-z0-9_]*)/g;
const TEMPLATE_PART = /\{([^{}]*)\}/g;
const REQUEST_PART = /^(?:body|query|header)\.[^.\s]+(?:\.[^.\s]+)*$/;
const URL_PART = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+)$/;

/** Why a `{…}` template cannot be filled from a request that `url` matched. */
export function templateProblems(template: string, url: string): string[] {
  const problems: string[] = [];
  const groups = new Set([...url.matchAll(URL_GROUP)].map((m) => m[1]));
  if (/[{}]/.test(template.replace(TEMPLATE_PART, ''))) {
    problems.push(`unbalanced braces in template "${template}"`);
  }
  for (const [, part = ''] of template.matchAll(TEMPLATE_PART)) {
    if (REQUEST_PART.test(part)) continue;
    if (!URL_PART.test(part)) {
      problems.push(`{${part}} is not a template part; use {name}, {body.a.b}, {query.x} or {header.x}`);
    } else if (!/^\d+$/.test(part) && !groups.has(part)) {
      // Numbered parts name the URL pattern's unnamed groups, which cannot be counted here.
      problems.push(`{${part}} names no :${part} group of the url pattern`);
    }
  }
  return problems;
}

// Run on the raw data, as the other cross-checks, so a console rule with a schema problem elsewhere
// still has its templates checked.
export function consoleChecks(source: YamlSource, consoles: unknown[]): PolicyProblem[] {
  const firstLine = new Map<string, number>();
  return consoles.flatMap((entry, i) => {
    if (!isRaw(entry)) return [];
    const problems: PolicyProblem[] = [];
    const url = isRaw(entry.match) && typeof entry.match.url === 'string' ? entry.match.url : '';
    for (const key of ['resource', 'environment']) {
      const template = entry[key];
      if (typeof template !== 'string') continue;
      for (const message of templateProblems(template, url)) {
        problems.push(problemAt(source, ['consoles', i, key], message));
      }
    }
    if (typeof entry.name !== 'string') return problems;
    const name = entry.name.trim();
    const seen = firstLine.get(name);
    if (seen === undefined) firstLine.set(name, lineOf(source, ['consoles', i, 'name']));
    else {
      const message = `duplicate console rule name "${name}" (first at line ${seen})`;
      problems.push(problemAt(source, ['consoles', i, 'name'], message));
    }
    return problems;
  });
}
