import { closestKey, type PolicyProblem } from './problem';
import type { Raw, YamlSource } from './yaml-source';
import { isRaw, problemAt } from './yaml-source';

// `access: { admin: [group], audit: [group] }` grants the console's admin and audit pages to groups of
// the policy, so who may administer is reviewed in git like every rule. A misspelt group would grant
// nothing silently (fail closed, but surprising): it is a problem, with a did-you-mean.

export function accessChecks(source: YamlSource, data: Raw): PolicyProblem[] {
  if (!isRaw(data.access)) return [];
  const groups = isRaw(data.groups) ? Object.keys(data.groups) : [];
  const known = groups.join(', ') || 'none are defined';
  const problems: PolicyProblem[] = [];
  for (const role of ['admin', 'audit'] as const) {
    const list = data.access[role];
    if (!Array.isArray(list)) continue; // the schema reports the wrong shape
    list.forEach((name, i) => {
      if (typeof name !== 'string' || groups.includes(name.trim())) return;
      const hint = closestKey(name.trim(), groups);
      const mean = hint ? `did you mean "${hint}"? ` : '';
      problems.push(
        problemAt(source, ['access', role, i], `unknown group "${name}" (${mean}groups: ${known})`),
      );
    });
  }
  return problems;
}
