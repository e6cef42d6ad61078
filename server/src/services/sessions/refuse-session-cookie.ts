import { appendAudit } from '../../audit/emit';
import type { Core } from '../core';
import { sha256Hex } from '../grants/tokens';

/**
 * A console cookie whose signature does not verify: someone edited it, or forged one without the
 * install's secret. It names no session we can trust, so the refusal is recorded against no person,
 * with a short hash of what was sent (to tell one replayed forgery from many) and where it came from.
 * The log line alone would be lost with the process's output; the audit chain keeps it.
 */
export async function refuseSessionCookie(
  core: Core,
  refused: { cookie: string; path: string; address?: string | undefined },
): Promise<void> {
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
        },
      },
    ]),
  );
}
