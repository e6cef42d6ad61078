import { stepUpGaps } from '@countersign/shared/policy';
import type { Core } from '../core';
import { stepUpMeans } from '../step-up/settings';

/**
 * Logs each rule of the policy in force that can never be approved on this install, because it needs
 * a step-up nobody here can make (the console says "cannot be made here" on the click): said at
 * start-up and on reload, when the operator is watching, rather than to the first approver.
 */
export function warnStepUpGaps(core: Core): void {
  const { policy, version } = core.policy.current;
  for (const gap of stepUpGaps(policy, stepUpMeans(core.stepUp)))
    core.log.warn({ rule: gap.rule, policy: version }, gap.message);
}
