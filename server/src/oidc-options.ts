import type { Env } from './env';
import type { ConsoleOptions } from './web/session';

/**
 * The console's identity provider from the environment, if one is configured. Apart from the rest of
 * the console's options so that the CLI's core (open-core.ts) can ask it without loading the Slack
 * and Teams modules.
 */
export function oidcOptionsOf(env: Env): ConsoleOptions['oidc'] {
  const issuer = env.COUNTERSIGN_OIDC_ISSUER;
  const clientId = env.COUNTERSIGN_OIDC_CLIENT_ID;
  return issuer && clientId
    ? {
        issuer,
        clientId,
        clientSecret: env.COUNTERSIGN_OIDC_CLIENT_SECRET,
        emailsVerified: env.COUNTERSIGN_OIDC_EMAILS_VERIFIED === 'true',
      }
    : undefined;
}
