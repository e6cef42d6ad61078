import { evaluate, parsePolicy } from '@countersign/shared/policy';

/**
 * Policy evaluation with 1,000 rules: 200 services with five rules each (reads allowed, exports and
 * deletes held, drops in prod denied, a catch-all per service), plus a handful of cross-service
 * wildcard rules at the top, as a large organisation's policy tends to look.
 */
export function thousandRulePolicy(): string {
  const lines = [
    'version: 1',
    'groups: { sre: [alice@example.com] }',
    'rules:',
    '  - { name: global-reads, match: { action: ["**.get*", "**.list*"], environment: dev }, effect: allow }',
    '  - { name: no-prod-drops, match: { action: "**.drop*", environment: prod }, effect: deny, reason: never }',
  ];
  for (let i = 0; lines.length < 1_000 + 3; i++) {
    const s = `svc${i}`;
    lines.push(
      `  - { name: ${s}-reads, match: { action: ["${s}.get*", "${s}.list*"] }, effect: allow }`,
      `  - { name: ${s}-export, match: { action: ${s}.export, resource: "customers/**" }, effect: review, approvers: [sre] }`,
      `  - { name: ${s}-delete, match: { action: "${s}.delete*", environment: [prod, staging] }, effect: review, approvers: [sre] }`,
      `  - { name: ${s}-bulk, match: { action: "${s}.bulk.**" }, effect: deny, reason: no bulk }`,
      `  - { name: ${s}-rest, match: { action: "${s}.**", requester: "agent:*" }, effect: review, approvers: [sre] }`,
    );
  }
  lines.push('default: { effect: review, approvers: [sre] }');
  return `${lines.join('\n')}\n`;
}

export type PolicyBench = { rules: number; cases: { name: string; medianUs: number }[] };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Median µs per decision over rounds of 10,000 decisions each. */
export function benchPolicy(): PolicyBench {
  const parsed = parsePolicy(thousandRulePolicy(), 'bench.yaml');
  if (!parsed.ok) throw new Error(`bench policy does not parse: ${JSON.stringify(parsed.problems[0])}`);
  const policy = parsed.policy;
  const cases = [
    {
      name: 'a rule near the end matches',
      input: { action: 'svc190.export', resource: 'customers/eu', requester: 'agent:bot' },
    },
    {
      name: 'no rule matches (the default decides)',
      input: { action: 'unknown.thing', requester: 'user:a@example.com' },
    },
    {
      name: 'a wildcard rule at the top matches',
      input: { action: 'svc7.getItem', environment: 'dev', requester: 'agent:bot' },
    },
  ];
  return {
    rules: policy.rules.length,
    cases: cases.map(({ name, input }) => {
      const rounds: number[] = [];
      for (let round = 0; round < 15; round++) {
        const started = process.hrtime.bigint();
        for (let i = 0; i < 10_000; i++) evaluate(policy, input);
        rounds.push(Number(process.hrtime.bigint() - started) / 1e3 / 10_000);
      }
      return { name, medianUs: median(rounds.slice(3)) };
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(benchPolicy(), null, 2)}\n`);
}
