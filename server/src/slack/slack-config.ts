import type { SlackConfig } from '@countersign/bot';
import type { Env } from '../env';

/** The bot's settings, or undefined when the environment does not turn the bot on. */
export function slackConfigOf(env: Env): SlackConfig | undefined {
  if (!env.SLACK_BOT_TOKEN) return undefined;
  return {
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    defaultChannel: env.SLACK_APPROVALS_CHANNEL,
    consoleUrl: env.COUNTERSIGN_PUBLIC_URL,
    apiUrl: env.SLACK_API_URL,
  };
}
