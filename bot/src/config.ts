/** How the bot reaches Slack. Parsed by the server from its environment. */
export type SlackConfig = {
  botToken: string;
  /** HTTP mode: requests to POST /slack/events are verified with it. */
  signingSecret?: string | undefined;
  /** Socket Mode, for installs that expose no public URL. */
  appToken?: string | undefined;
  /** Where requests go when their rule names no channel. */
  defaultChannel?: string | undefined;
  /** COUNTERSIGN_PUBLIC_URL: messages link to the request's page in the web console. */
  consoleUrl?: string | undefined;
  /** Slack's Web API base, ending in `/api/`; tests and proxies point it elsewhere. */
  apiUrl: string;
};
