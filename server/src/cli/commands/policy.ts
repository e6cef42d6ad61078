import { readFile } from 'node:fs/promises';
import type { Policy } from '@countersign/shared/policy';
import type { Command } from 'commander';
import { CliError, EXIT, out } from '../io';

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('Check a policy file and test it against cases.');
  policy
    .command('check')
    .description('Validate a policy file; prints every problem as FILE:LINE:COLUMN.')
    .argument('<FILE>', 'the policy file, e.g. countersign.policy.yaml')
    .addHelpText('after', '\nExit codes: 0 valid, 65 not valid (each problem printed), 64 usage.')
    .action((file: string) => check(file));
  policy
    .command('test')
    .description('Run the cases in CASES.yaml against a policy file and show expected and actual.')
    .argument('<FILE>', 'the policy file')
    .argument('<CASES>', 'the cases file, e.g. examples/policy-cases.yaml')
    .addHelpText(
      'after',
      '\nExit codes: 0 every case passed, 1 a case failed, 65 a file is not valid, 64 usage.',
    )
    .action((file: string, cases: string) => test(file, cases));
}

async function load(file: string) {
  const { formatProblem } = await import('@countersign/shared/policy');
  const { readPolicyFile } = await import('../../services/policy/policy-store');
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

async function check(file: string): Promise<void> {
  const { formatProblem, policyWarnings } = await import('@countersign/shared/policy');
  const loaded = await load(file);
  const { policy } = loaded;
  // Offline, so the environment stands for the server it will run in: Slack is on when its token is set.
  const warnings = policyWarnings(policy, loaded.text, file, {
    slack: Boolean(process.env.SLACK_BOT_TOKEN),
    idpGroups: await idpGroupNames(policy),
    stepUps: await stepUpsHere(),
  });
  for (const warning of warnings) out(formatProblem(warning));
  const warned =
    warnings.length === 0 ? '' : `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
  out(
    `${file}: ok (${loaded.version}; ${policy.rules.length} rules, ${Object.keys(policy.groups).length} groups, ${policy.consoles.length} console rules)${warned}`,
  );
}

async function test(file: string, casesFile: string): Promise<void> {
  const { formatCaseResults, formatProblem, parseCases, runCases } = await import(
    '@countersign/shared/policy'
  );
  const loaded = await load(file);
  const text = await readFile(casesFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`${casesFile}: cannot read the cases file: ${readProblem(error)}`, EXIT.dataErr);
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
}

/** Why a file could not be read, in words (the errno code kept for searching). */
function readProblem(error: NodeJS.ErrnoException): string {
  const why: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'it is a directory',
  };
  return error.code ? `${why[error.code] ?? error.message} (${error.code})` : error.message;
}

/**
 * The IdP groups SCIM has provisioned, from the database the server would use, when the policy names
 * any; undefined (no warning either way) when that database cannot be read from here.
 */
async function idpGroupNames(policy: Policy): Promise<readonly string[] | undefined> {
  const { idpGroupsOf } = await import('@countersign/shared/policy');
  const outcomes = [...policy.rules, ...(policy.default ? [policy.default] : [])];
  const mapped = Object.values(policy.groups).some((members) => idpGroupsOf(members).length > 0);
  if (!mapped && !outcomes.some((o) => o.effect === 'review' && idpGroupsOf(o.approvers).length > 0))
    return undefined;
  const { withCore } = await import('../with-core');
  const { readIdpSnapshot } = await import('../../services/identity/idp-directory');
  return withCore(async ({ core }) => (await readIdpSnapshot(core.database.db)).names).catch(() => undefined);
}

/**
 * The step-ups the server would be able to make, read from this environment as `serve` reads it;
 * undefined (no warning either way) when the environment does not parse, which serve would refuse.
 */
async function stepUpsHere(): Promise<{ mfa: boolean; passkey: boolean } | undefined> {
  const { parseEnv } = await import('../../env');
  const { consoleOptionsOf } = await import('../../web/console-options');
  const { stepUpMeans, stepUpSettings } = await import('../../services/step-up/settings');
  try {
    const env = parseEnv(process.env);
    const oidc = consoleOptionsOf(env).oidc !== undefined;
    return stepUpMeans(stepUpSettings({ publicUrl: env.COUNTERSIGN_PUBLIC_URL, oidc }));
  } catch {
    return undefined;
  }
}
