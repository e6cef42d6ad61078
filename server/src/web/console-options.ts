import type { Env } from '../env';
import type { ConsoleOptions } from './session';

/** The console's settings from the environment: sessions' limits, the public URL, the IdP if any. */
export function consoleOptionsOf(env: Env): ConsoleOptions {
  const issuer = env.COUNTERSIGN_OIDC_ISSUER;
  const clientId = env.COUNTERSIGN_OIDC_CLIENT_ID;
  return {
    publicUrl: env.COUNTERSIGN_PUBLIC_URL,
    policyCases: env.COUNTERSIGN_POLICY_CASES,
    limits: {
      idleMs: env.COUNTERSIGN_SESSION_IDLE_MINUTES * 60_000,
      maxMs: env.COUNTERSIGN_SESSION_MAX_HOURS * 3_600_000,
    },
    oidc:
      issuer && clientId
        ? {
            issuer,
            clientId,
            clientSecret: env.COUNTERSIGN_OIDC_CLIENT_SECRET,
            emailsVerified: env.COUNTERSIGN_OIDC_EMAILS_VERIFIED === 'true',
          }
        : undefined,
  };
}
