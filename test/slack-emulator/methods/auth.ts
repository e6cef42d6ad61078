import type { JsonObject } from '../types';
import type { MethodContext, MethodTable } from './method-context';

function authTest({ options }: MethodContext): JsonObject {
  return {
    ok: true,
    url: `https://${options.teamDomain}.slack.com/`,
    team: options.teamName,
    user: options.botUserName,
    team_id: options.teamId,
    user_id: options.botUserId,
    bot_id: options.botId,
    is_enterprise_install: false,
  };
}

/**
 * Slack answers with a wss:// URL on its own host. The emulator has no TLS certificate, so it answers with a
 * ws:// URL on itself that serves the same Socket Mode protocol; @slack/socket-mode connects to either.
 */
function connectionsOpen({ issueSocketUrl }: MethodContext): JsonObject {
  return { ok: true, url: issueSocketUrl() };
}

export const authMethods: MethodTable = {
  'auth.test': { token: 'bot', handle: authTest },
  'apps.connections.open': { token: 'app', handle: connectionsOpen },
};
