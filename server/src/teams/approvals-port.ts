import type { TeamsPerson, TeamsPort } from '@countersign/bot';
import { chatReview, outboxSink, outcome, requestOf } from '../chat/chat-port';
import type { Actor } from '../context';
import { findAction } from '../services/actions/find-action';
import { reviewQueue } from '../services/actions/review-queue';
import type { Core } from '../services/core';
import { usableEmail } from '../services/identity/usable-email';
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

/** The approval core as the Teams bot sees it: the same verbs as Slack's port, acting as the Teams person. */
export function teamsPort(core: Core): TeamsPort {
  return {
    review: (person, id, decision, comment) => chatReview(core, asPerson(person), id, { decision, comment }),
    find: (person, idOrPrefix) =>
      outcome(async () => ({
        request: await findAction({ ctx: { core, actor: asPerson(person) }, idOrPrefix }),
      })),
    queue: (person) => reviewQueue({ ctx: { core, actor: asPerson(person) } }),
    pairingCode: (person) => issuePairingCode({ ctx: { core, actor: asPerson(person) } }),
    get: (id) => requestOf(core, id),
    teamsChannelOf: (actionId) => teamsChannelOf(core, actionId),
    ...outboxSink(core, TEAMS_SINK),
    cardOf: (actionId) => teamsCardOf(core, actionId),
    saveCard: (actionId, ref) => saveTeamsCard(core, actionId, ref),
    linkTeamsUser: (person) => linkTeamsUser(core, person.email, person),
    teamsUserOf: (email) => teamsUserOf(core, email),
    saveTeam: (team) => saveTeam(core, team),
    teamNamed: (name) => teamNamed(core, name),
  };
}
