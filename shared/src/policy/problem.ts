export type PolicyProblem = { file: string; line: number; column: number; message: string };

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.message}`;
}

export function byPosition(a: PolicyProblem, b: PolicyProblem): number {
  return a.line - b.line || a.column - b.column;
}

// Suggests the closest known key for a typo such as `aprovers`; two edits covers the usual slips.
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
