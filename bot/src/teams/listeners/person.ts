import type { TurnContext } from '@microsoft/agents-hosting';
import type { TeamsDeps } from '../deps';
import type { TeamsPerson } from '../port';

/** The person behind an activity, vouched for by Graph, or why there is none (in words for them). */
export async function personOf(
  deps: TeamsDeps,
  context: TurnContext,
): Promise<{ ok: true; person: TeamsPerson } | { ok: false; why: string }> {
  const { activity } = context;
  const who = await deps.identity.who(activity.from?.aadObjectId);
  if (!who.ok) return who;
  const tenantId = activity.conversation?.tenantId;
  const person: TeamsPerson = {
    aadObjectId: activity.from?.aadObjectId ?? '',
    email: who.email,
    teamsUserId: activity.from?.id ?? '',
    serviceUrl: activity.serviceUrl ?? '',
    ...(tenantId && { tenantId }),
  };
  await deps.port
    .linkTeamsUser(person)
    .catch((error: unknown) => deps.log.warn({ err: String(error) }, 'could not link a Teams user'));
  return { ok: true, person };
}
