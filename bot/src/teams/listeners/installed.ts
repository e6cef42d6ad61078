import type { TurnContext } from '@microsoft/agents-hosting';
import type { TeamsDeps } from '../deps';

/**
 * The bot added to a team: remember the team's name and service, so a rule's `teams: "<team>/<channel>"`
 * can be found by name when a request is posted.
 */
export async function onConversationUpdate(deps: TeamsDeps, context: TurnContext): Promise<void> {
  const { activity } = context;
  const team = (activity.channelData as { team?: { id?: unknown; name?: unknown } } | undefined)?.team;
  if (typeof team?.id !== 'string' || typeof team.name !== 'string' || !activity.serviceUrl) return;
  await deps.port.saveTeam({
    teamId: team.id,
    name: team.name,
    serviceUrl: activity.serviceUrl,
    tenantId: activity.conversation?.tenantId,
  });
  deps.log.info({ team: team.name }, 'Countersign added to a Teams team');
}
