import { compileGlobs, globError } from './glob';
import type { PolicyProblem } from './problem';
import type { Path, Raw, YamlSource } from './yaml-source';
import { isRaw, problemAt } from './yaml-source';

// With `environments` declared, a submission naming any other environment is refused. These checks
// find the policy's own slips of the same kind: a rule or console rule naming an environment that
// can never be submitted would silently never apply.

const names = (value: unknown): [number, string][] =>
  Array.isArray(value)
    ? value.flatMap((v, i): [number, string][] => (typeof v === 'string' ? [[i, v]] : []))
    : [];

function globsOf(path: Path, value: unknown): [Path, string][] {
  if (typeof value === 'string') return [[path, value]];
  return names(value).map(([i, v]) => [[...path, i], v]);
}

export function environmentChecks(source: YamlSource, data: Raw): PolicyProblem[] {
  const declared = names(data.environments);
  if (declared.length === 0) return [];
  const problems: PolicyProblem[] = [];
  const seen = new Set<string>();
  for (const [i, name] of declared) {
    // Environments are matched ignoring case, so `Prod` and `prod` are one environment listed twice.
    if (seen.has(name.toLowerCase()))
      problems.push(problemAt(source, ['environments', i], `"${name}" is listed more than once`));
    seen.add(name.toLowerCase());
  }
  const list = declared.map(([, name]) => name).join(', ');
  const rules = Array.isArray(data.rules) ? data.rules : [];
  rules.forEach((rule, r) => {
    if (!isRaw(rule) || !isRaw(rule.match)) return;
    for (const [path, glob] of globsOf(['rules', r, 'match', 'environment'], rule.match.environment)) {
      if (globError('plain', glob)) continue; // the schema reports it
      const matches = compileGlobs('plain', [glob], true);
      if (!declared.some(([, name]) => matches(name)))
        problems.push(
          problemAt(source, path, `"${glob}" matches none of the declared environments (${list})`),
        );
    }
  });
  const consoles = Array.isArray(data.consoles) ? data.consoles : [];
  consoles.forEach((entry, c) => {
    // A template with `{…}` parts is filled from the request (a region, a subscription): only a
    // fixed one can be checked here.
    if (!isRaw(entry) || typeof entry.environment !== 'string' || entry.environment.includes('{')) return;
    if (!seen.has(entry.environment.toLowerCase()))
      problems.push(
        problemAt(
          source,
          ['consoles', c, 'environment'],
          `"${entry.environment}" is not one of the declared environments (${list}); the server would refuse these requests`,
        ),
      );
  });
  return problems;
}
