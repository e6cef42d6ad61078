import { appendAudit } from '../../audit/emit';
import type { Core } from '../core';
import { sha256Hex } from '../grants/tokens';
import { cookieRefusalThrottle, type RefusalVerdict } from './cookie-refusal-throttle';

/**
 * A console cookie whose signature does not verify: someone edited it, or forged one without the
 * install's secret. It names no session we can trust, so the refusal is recorded against no person,
 * with a short hash of what was sent (to tell one replayed forgery from many) and where it came from.
 * The log line alone would be lost with the process's output; the audit chain keeps it. A flood is
 * throttled per address (cookie-refusal-throttle): the first in a minute is written with a count of
 * those left out since; every one is refused and counted in /metrics. The verdict is returned so the
 * caller's log line is throttled the same way (a flood would otherwise write a line per request).
 */
export async function refuseSessionCookie(
  core: Core,
  refused: { cookie: string; path: string; address?: string | undefined },
): Promise<RefusalVerdict> {
  const verdict = cookieRefusalThrottle(core).admit(refused.address ?? 'unknown', core.now());
  if (!verdict.audit) return verdict;
  await core.writes.run((tx) =>
    appendAudit(tx, core.now(), [
      {
        type: 'session.refused',
        actor: 'system:server',
        subject: null,
        data: {
          via: 'cookie',
          reason: 'tampered',
          cookieHashPrefix: sha256Hex(refused.cookie).slice(0, 12),
          path: refused.path.slice(0, 200),
          address: refused.address ?? null,
          suppressed: verdict.suppressed,
          suppressedElsewhere: verdict.suppressedElsewhere,
        },
      },
    ]),
  );
  return verdict;
}
