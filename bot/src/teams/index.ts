import type { Logger } from 'pino';
import type { Transport } from '../transport-state';
import { createAdapter, handleActivity } from './adapter';
import type { TeamsConfig } from './config';
import { TeamsConnector } from './connect';
import { TeamsDeliverer } from './delivery/teams-deliverer';
import { EntraTokens } from './entra-token';
import { GraphIdentity } from './graph-identity';
import { onTurn } from './listeners/turn';
import type { TeamsPort } from './port';

export { AppPackageError, type AppPackageOptions, teamsAppPackage, teamsManifest } from './app-package';
export { requestCard } from './cards/request-card';
export type { TeamsConfig } from './config';
export { GRAPH_URL, LOGIN_URL } from './config';
export { TEAMS_EVENTS } from './delivery/teams-deliverer';
export type { CardRef, TeamRef, TeamsPerson, TeamsPort, TeamsUserRef } from './port';

export type TeamsBot = Transport & {
  /** The handler for POST /teams/messages: every activity's Bot Framework token is checked first. */
  handle: (request: Request) => Promise<Response>;
};

/**
 * The Teams bot: the Agents SDK adapter over the Teams port, and the outbox deliverer. Inbound
 * activities are answered from the start (their tokens are checked against Microsoft's keys, not
 * ours); deliveries wait in the outbox until Entra gives the bot a token.
 */
export function createTeamsBot(options: {
  config: TeamsConfig;
  port: TeamsPort;
  log: Logger;
  firstRetryMs?: number;
}): TeamsBot {
  const { config, port } = options;
  const log = options.log.child({ component: 'teams' });
  const tokens = new EntraTokens(config);
  const turnFailed = (error: unknown) =>
    log.error({ err: error instanceof Error ? error.message : String(error) }, 'a Teams activity failed');
  const adapter = createAdapter(config, tokens, turnFailed);
  const identity = new GraphIdentity({ graphUrl: config.graphUrl, tokens, log });
  const deps = { port, identity, config, log };
  const deliverer = new TeamsDeliverer({ port, tokens, config, log });
  const connector = new TeamsConnector({ tokens, log, firstRetryMs: options.firstRetryMs });
  return {
    name: 'teams',
    handle: (request) => handleActivity(adapter, request, (context) => onTurn(deps, context), turnFailed),
    state: () => connector.state(),
    start: () => connector.start(() => deliverer.start()),
    stop: async () => {
      connector.stop();
      // Awaited: a delivery in flight records its outcome before the server closes the database.
      await deliverer.stop();
    },
  };
}
