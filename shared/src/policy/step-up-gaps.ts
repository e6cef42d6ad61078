import type { Policy, RuleOutcome, StepUp } from './types';
import type { Path } from './yaml-source';

/** Which step-ups this install can make: MFA needs an identity provider, a passkey a public URL. */
export type StepUpMeans = { [K in StepUp]: boolean };

export type StepUpGap = { rule: string; path: Path; message: string };

const HOW: Record<StepUp, { needs: string; missing: string }> = {
  mfa: {
    needs: 'an MFA step-up',
    missing:
      'no identity provider is configured (COUNTERSIGN_OIDC_ISSUER, COUNTERSIGN_OIDC_CLIENT_ID, COUNTERSIGN_PUBLIC_URL: docs/console.md)',
  },
  passkey: {
    needs: 'a passkey step-up',
    missing: 'passkeys need the console at COUNTERSIGN_PUBLIC_URL (docs/console.md)',
  },
};

/**
 * Review rules whose every approval and break-glass needs a step-up this install cannot make: they
 * can never be approved here. Said by `policy check` and by the server at start-up and on reload.
 */
export function stepUpGaps(policy: Policy, means: StepUpMeans): StepUpGap[] {
  const outcomes: [string, Path, RuleOutcome][] = policy.rules.map((rule, i) => [
    rule.name,
    ['rules', i],
    rule,
  ]);
  if (policy.default) outcomes.push(['default', ['default'], policy.default]);
  return outcomes.flatMap(([rule, path, outcome]) => {
    const stepUp = outcome.stepUp;
    if (outcome.effect !== 'review' || stepUp === undefined || means[stepUp]) return [];
    const why = outcome.risk === 'critical' && stepUp === 'mfa' ? 'risk: critical' : `stepUp: ${stepUp}`;
    const { needs, missing } = HOW[stepUp];
    const message = `rule "${rule}" needs ${needs} (${why}) on every approval and break-glass, but ${missing}, so it can never be approved here; configure that, or give the rule stepUp: none`;
    return [{ rule, path, message }];
  });
}
