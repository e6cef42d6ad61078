import type { Delivery, Outcome, TeamsPerson, TeamsPort } from '@countersign/bot';
import type { Actor } from '../context';
import { DomainError } from '../errors';
import { findAction } from '../services/actions/find-action';
import { reviewAction } from '../services/actions/review-action';
import { reviewQueue } from '../services/actions/review-queue';
import { loadAction } from '../services/actions/rows';
import { toActionRequest } from '../services/actions/view';
import type { Core } from '../services/core';
import { usableEmail } from '../services/identity/usable-email';
import {
  claimDeliveries,
  markDelivered,
  markFailed,
  nextDueAt,
  type OutboxItem,
  releaseDeliveries,
} from '../services/outbox/deliveries';
import { issuePairingCode } from '../services/pairing/pairing-codes';
import {
  linkTeamsUser,
  saveTeam,
  saveTeamsCard,
  teamNamed,
  teamsCardOf,
  teamsChannelOf,
  teamsUserOf,
} from '../services/teams/teams-links';

export const TEAMS_SINK = 'teams';

// The bot normalises the email Graph gives; the core checks again, so no transport can hand it a look-alike.
const asPerson = (p: TeamsPerson): Actor => {
  const email = usableEmail(p.email, 'email');
  return { kind: 'person', via: 'teams', id: `user:${email}`, email, aadObjectId: p.aadObjectId };
};
const SYSTEM: Actor = { kind: 'system', id: 'system:server' };

async function outcome<T extends object>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

const toDelivery = (item: OutboxItem): Delivery => ({
  id: item.id,
  actionId: item.actionId,
  event: item.event,
  payload: item.payload,
  attempts: item.attempts,
});

/** The approval core as the Teams bot sees it: the same verbs as Slack's port, acting as the Teams person. */
export function teamsPort(core: Core): TeamsPort {
  return {
    review: (person, id, decision, comment) =>
      outcome(async () => ({
        request: await reviewAction({
          ctx: { core, actor: asPerson(person) },
          id,
          input: { decision, ...(comment && { comment }) },
        }),
      })),
    find: (person, idOrPrefix) =>
      outcome(async () => ({
        request: await findAction({ ctx: { core, actor: asPerson(person) }, idOrPrefix }),
      })),
    queue: (person) => reviewQueue({ ctx: { core, actor: asPerson(person) } }),
    pairingCode: (person) => issuePairingCode({ ctx: { core, actor: asPerson(person) } }),
    get: async (id) => {
      const loaded = await loadAction(core.database.db, id);
      return loaded ? toActionRequest(core, loaded, SYSTEM) : undefined;
    },
    teamsChannelOf: (actionId) => teamsChannelOf(core, actionId),
    due: async (limit) => (await claimDeliveries(core, TEAMS_SINK, limit)).map(toDelivery),
    nextDueAt: () => nextDueAt(core, TEAMS_SINK),
    delivered: (id) => markDelivered(core, id),
    failed: (delivery, error, retryAt) => markFailed(core, delivery, error, retryAt),
    release: (ids) => releaseDeliveries(core, ids),
    onChange: (fn) => core.events.on('*', fn),
    cardOf: (actionId) => teamsCardOf(core, actionId),
    saveCard: (actionId, ref) => saveTeamsCard(core, actionId, ref),
    linkTeamsUser: (person) => linkTeamsUser(core, person.email, person),
    teamsUserOf: (email) => teamsUserOf(core, email),
    saveTeam: (team) => saveTeam(core, team),
    teamNamed: (name) => teamNamed(core, name),
  };
}
