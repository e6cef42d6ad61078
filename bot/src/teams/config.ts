/** How the bot reaches Microsoft. Parsed by the server from its environment (docs/teams.md). */
export type TeamsConfig = {
  /** The Entra app (client) id the Bot Framework knows the bot by: the audience of inbound tokens. */
  appId: string;
  /** The app's client secret, for outbound tokens (client credentials). */
  appPassword: string;
  /** The Entra tenant that owns the app registration (single-tenant bot). */
  tenantId: string;
  /** Where requests go when their rule names no `teams:` channel, as "<team>/<channel>". */
  defaultChannel?: string | undefined;
  /** The console, for "Open in Countersign" (COUNTERSIGN_PUBLIC_URL). */
  publicUrl?: string | undefined;
  /** Entra's login host (tokens, and the JWKS of Entra-issued tokens): tests point it at an emulator. */
  loginUrl: string;
  /** Microsoft Graph's base, ending in `/v1.0/`. */
  graphUrl: string;
  /** Issuers accepted on inbound tokens besides the Bot Framework's own (tests name the emulator's). */
  issuers?: string[] | undefined;
};

export const LOGIN_URL = 'https://login.microsoftonline.com';
export const GRAPH_URL = 'https://graph.microsoft.com/v1.0/';
/** The scope of tokens for the Bot Connector service. */
export const BOT_SCOPE = 'https://api.botframework.com/.default';
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
