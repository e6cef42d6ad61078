import { readFile } from 'node:fs/promises';
import { formatCaseResults, formatProblem, parseCases, runCases } from '@countersign/shared/policy';
import { readPolicyFile } from '../../services/policy/policy-store';
import { CliError, EXIT, out, usage } from '../io';
import { POLICY_USAGE } from '../usage';

async function load(file: string) {
  const read = await readPolicyFile(file, Date.now());
  if (!read.ok) {
    for (const problem of read.problems) out(formatProblem(problem));
    const n = read.problems.length;
    throw new CliError(
      `${file}: ${n} problem${n === 1 ? '' : 's'}; the policy was not accepted`,
      EXIT.dataErr,
    );
  }
  return read.loaded;
}

export async function policyCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'check' && rest.length === 1 && rest[0]) {
    const loaded = await load(rest[0]);
    const { policy } = loaded;
    out(
      `${rest[0]}: ok (${loaded.version}; ${policy.rules.length} rules, ${Object.keys(policy.groups).length} groups, ${policy.consoles.length} console rules)`,
    );
    return;
  }
  if (sub === 'test' && rest.length === 2 && rest[0] && rest[1]) {
    const loaded = await load(rest[0]);
    const casesFile = rest[1];
    const text = await readFile(casesFile, 'utf8').catch(() => {
      throw new CliError(`${casesFile}: cannot read the file`, EXIT.dataErr);
    });
    const parsed = parseCases(text, casesFile);
    if (!parsed.ok) {
      for (const problem of parsed.problems) out(formatProblem(problem));
      throw new CliError(`${casesFile}: the cases file is not valid`, EXIT.dataErr);
    }
    const results = runCases(loaded.policy, parsed.cases);
    out(formatCaseResults(results));
    const failed = results.filter((r) => !r.pass).length;
    if (failed > 0) throw new CliError(`${failed} of ${results.length} cases failed`);
    return;
  }
  throw usage(`usage:\n${POLICY_USAGE}`);
}
