export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export interface SlackEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The bot token (xoxb-…) every Web API method except apps.connections.open accepts. */
  botToken?: string;
  /** The app-level token (xapp-…) apps.connections.open accepts. */
  appToken?: string;
  teamId?: string;
  teamName?: string;
  /** Workspace subdomain, as in https://<domain>.slack.com/. */
  teamDomain?: string;
  botUserId?: string;
  /** The bot user's name, as auth.test reports it in `user`. */
  botUserName?: string;
  botId?: string;
  appId?: string;
  /** When true, chat.* reject channels never registered with addChannel (or opened as a DM). */
  strictChannels?: boolean;
  /** How often the Socket Mode server pings its clients; @slack/socket-mode gives up after 30 s of silence. */
  socketPingIntervalMs?: number;
  /**
   * The bot token's OAuth scopes. Methods that need a scope (conversations.history) answer
   * `missing_scope` with `needed` and `provided` without it, as Slack does. Defaults to bot/manifest.yaml's.
   */
  botScopes?: readonly string[];
}

export type ResolvedOptions = Required<SlackEmulatorOptions>;

export interface SeedUser {
  id: string;
  email: string;
  name?: string;
  realName?: string;
  tz?: string;
  tzLabel?: string;
  tzOffset?: number;
  isBot?: boolean;
  deleted?: boolean;
  /** Another workspace's user (Slack Connect): their own team id, `is_stranger` where Slack sets it. */
  teamId?: string;
  isStranger?: boolean;
  /** A guest (`is_restricted`). */
  isRestricted?: boolean;
  /** Slack reports `is_email_confirmed: false` for an address the user has not confirmed. */
  emailConfirmed?: boolean;
}

export interface SeedUsergroup {
  id: string;
  handle: string;
  users: readonly string[];
  name?: string;
}

export interface SeedChannel {
  id: string;
  name: string;
}

/** The next N calls to a method fail this way instead of being handled. */
export type Fault =
  | { status: 429; retryAfter: number }
  /**
   * `afterHandling`: the call takes effect (a message is posted) and only then fails, as when Slack
   * times out after accepting a post: the caller never learns the ts.
   */
  | { status: 500 | 502 | 503 | 504; afterHandling?: boolean }
  | { error: string };

export interface RecordedCall {
  /** Monotonic across the emulator's life (not reset), so a test can wait for calls after a mark. */
  seq: number;
  /** A Web API method such as 'chat.postMessage', or 'response_url' for posts to emulator.responseUrl(id). */
  method: string;
  /** Parsed arguments; `blocks`, `view`, `attachments` and `metadata` are parsed from their JSON strings. */
  args: JsonObject;
  token: string | undefined;
  contentType: 'form' | 'json' | 'query' | 'none';
  /** Set for response_url posts. */
  responseUrlId?: string;
  at: Date;
  status: number;
  response: JsonObject;
}

export interface MessageRevision {
  text: string;
  blocks: Json[] | undefined;
  at: Date;
  via: 'chat.postMessage' | 'chat.update' | 'response_url';
}

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs: string | undefined;
  text: string;
  blocks: Json[] | undefined;
  user: string;
  botId: string;
  /** chat.postMessage's `metadata` ({event_type, event_payload}), returned by conversations.history with include_all_metadata. */
  metadata: JsonObject | undefined;
  deleted: boolean;
  /** Every version of the message, oldest first; the last one is what the fields above show. */
  revisions: readonly MessageRevision[];
}

export interface StoredView {
  id: string;
  type: 'modal' | 'home';
  /** The user a home tab was published for; undefined for modals. */
  userId: string | undefined;
  hash: string;
  view: JsonObject;
  revisions: number;
}
