import type { TeamsConfig } from '@countersign/bot';
import type { Env } from '../env';

/** The Teams bot's settings, or undefined when the environment does not turn it on. */
export function teamsConfigOf(env: Env): TeamsConfig | undefined {
  if (!env.TEAMS_APP_ID || !env.TEAMS_APP_PASSWORD || !env.TEAMS_TENANT_ID) return undefined;
  return {
    appId: env.TEAMS_APP_ID,
    appPassword: env.TEAMS_APP_PASSWORD,
    tenantId: env.TEAMS_TENANT_ID,
    defaultChannel: env.TEAMS_APPROVALS_CHANNEL,
    publicUrl: env.COUNTERSIGN_PUBLIC_URL,
    loginUrl: env.TEAMS_LOGIN_URL,
    graphUrl: env.TEAMS_GRAPH_URL,
  };
}
