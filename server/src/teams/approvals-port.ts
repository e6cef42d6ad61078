import type { TeamsPerson, TeamsPort } from '@countersign/bot';
import { chatVerbs, decidersOf, outboxSink } from '../chat/chat-port';
import type { Actor } from '../context';
import type { Core } from '../services/core';
import { usableEmail } from '../services/identity/usable-email';
import { queueNotices } from '../services/teams/approver-notices';
import { followUpCardsOf, forgetFollowUpCard, saveFollowUpCard } from '../services/teams/follow-up-cards';
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
    ...chatVerbs(core, asPerson),
    teamsChannelOf: (actionId) => teamsChannelOf(core, actionId),
    deciders: (request) => decidersOf(core, request),
    queueNotices: (parent, event, to) => queueNotices(core, TEAMS_SINK, parent, event, to),
    saveFollowUpCard: (actionId, ref) => saveFollowUpCard(core, actionId, ref),
    followUpCardsOf: (actionId) => followUpCardsOf(core, actionId),
    forgetFollowUpCard: (actionId, ref) => forgetFollowUpCard(core, actionId, ref),
    ...outboxSink(core, TEAMS_SINK),
    cardOf: (actionId) => teamsCardOf(core, actionId),
    saveCard: (actionId, ref) => saveTeamsCard(core, actionId, ref),
    linkTeamsUser: (person) => linkTeamsUser(core, person.email, person),
    teamsUserOf: (email) => teamsUserOf(core, email),
    saveTeam: (team) => saveTeam(core, team),
    teamNamed: (name) => teamNamed(core, name),
  };
}
