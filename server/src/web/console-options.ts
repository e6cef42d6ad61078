import type { Env } from '../env';
import { oidcOptionsOf } from '../oidc-options';
import { slackConfigOf } from '../slack/slack-config';
import { teamsConfigOf } from '../teams/teams-config';
import type { ConsoleOptions } from './session';

/** The console's settings from the environment: sessions' limits, the public URL, the IdP if any. */
export function consoleOptionsOf(env: Env): ConsoleOptions {
  return {
    publicUrl: env.COUNTERSIGN_PUBLIC_URL,
    policyCases: env.COUNTERSIGN_POLICY_CASES,
    // The same test the server uses to start each bot (start.ts).
    chat: { slack: slackConfigOf(env) !== undefined, teams: teamsConfigOf(env) !== undefined },
    limits: {
      idleMs: env.COUNTERSIGN_SESSION_IDLE_MINUTES * 60_000,
      maxMs: env.COUNTERSIGN_SESSION_MAX_HOURS * 3_600_000,
    },
    oidc: oidcOptionsOf(env),
  };
}
