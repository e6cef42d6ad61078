import { Activity } from '@microsoft/agents-activity';
import { ConnectorClient } from '@microsoft/agents-hosting';
import { BOT_SCOPE, type TeamsConfig } from '../config';
import type { EntraTokens } from '../entra-token';
import type { CardRef, TeamsPort } from '../port';

export type OneToOneDeps = { port: TeamsPort; tokens: EntraTokens; config: TeamsConfig };

export async function connectorClient(tokens: EntraTokens, serviceUrl: string): Promise<ConnectorClient> {
  return ConnectorClient.createClientWithToken(serviceUrl, await tokens.token(BOT_SCOPE));
}

/**
 * A 1:1 message to a person by email, if they have talked to the bot (Teams lets a bot start a chat
 * only with someone it knows): where it was posted, or undefined for someone the bot has never met.
 */
export async function sendOneToOne(
  deps: OneToOneDeps,
  email: string,
  message: Record<string, unknown>,
): Promise<CardRef | undefined> {
  const user = await deps.port.teamsUserOf(email);
  if (!user) return undefined; // never seen in Teams: the API, Slack and webhooks still tell them
  const client = await connectorClient(deps.tokens, user.serviceUrl);
  // The SDK's type names the bot `agent` and wants an activity; the Bot Connector REST API takes
  // `bot` and an optional activity, and the SDK sends the body as given.
  const chat = await client.createConversation({
    isGroup: false,
    bot: { id: deps.config.appId, name: 'Countersign' },
    members: [{ id: user.teamsUserId, name: '' }],
    tenantId: user.tenantId ?? deps.config.tenantId,
    channelData: { tenant: { id: user.tenantId ?? deps.config.tenantId } },
  } as unknown as Parameters<ConnectorClient['createConversation']>[0]);
  const sent = await client.sendToConversation(chat.id, Activity.fromObject(message));
  return { conversationId: chat.id, activityId: sent.id, serviceUrl: user.serviceUrl };
}
