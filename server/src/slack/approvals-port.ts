import type { ApprovalsPort, SlackPerson } from '@countersign/bot';
import { type ActionRequest, BreakGlassInput, FollowUpInput } from '@countersign/shared';
import { groupSlackHandles } from '@countersign/shared/policy';
import { chatReview, outboxSink, outcome, requestOf, schemaRefusal } from '../chat/chat-port';
import type { Actor } from '../context';
import { approverEmails, isRequesterHuman } from '../services/actions/access';
import { answerQuestion } from '../services/actions/answer-question';
import { breakGlass } from '../services/actions/break-glass';
import { findAction } from '../services/actions/find-action';
import { followUp } from '../services/actions/follow-up';
import { listStanding } from '../services/actions/list-standing';
import { reviewOptions } from '../services/actions/review-options';
import { reviewQueue } from '../services/actions/review-queue';
import { revokeStanding } from '../services/actions/revoke-standing';
import type { Core } from '../services/core';
import { usableEmail } from '../services/identity/usable-email';
import { issuePairingCode } from '../services/pairing/pairing-codes';
import {
  claimSlackPost,
  linkSlackUser,
  saveSlackMessage,
  slackMessageOf,
  slackUserIdOf,
} from '../services/slack/slack-links';

export const SLACK_SINK = 'slack';

// The bot normalises profile emails; the core checks again, so no transport can hand it a look-alike.
const asPerson = (p: SlackPerson): Actor => {
  const email = usableEmail(p.email, 'email');
  return { kind: 'person', via: 'slack', id: `user:${email}`, email, slackUserId: p.slackUserId };
};

/** The approval core as the Slack bot sees it: each method one service verb, acting as the Slack person. */
export function approvalsPort(core: Core): ApprovalsPort {
  return {
    review: (person, id, decision, comment, extras) =>
      chatReview(core, asPerson(person), id, { decision, comment, extras }),
    ask: (person, id, question) =>
      chatReview(core, asPerson(person), id, { decision: 'ask', comment: question }),
    // Checked by the API's own schemas first, so Slack gets the same bounds (a reason's 20 characters).
    breakGlass: async (person, id, reason) => {
      const input = BreakGlassInput.safeParse({ reason });
      if (!input.success) return schemaRefusal(input.error, 'invalid reason');
      return outcome(async () => ({
        request: await breakGlass({ ctx: { core, actor: asPerson(person) }, id, input: input.data }),
      }));
    },
    followUp: async (person, id, decision, comment) => {
      const input = FollowUpInput.safeParse({ decision, ...(comment && { comment }) });
      if (!input.success) return schemaRefusal(input.error, 'invalid follow-up');
      return outcome(async () => ({
        request: await followUp({ ctx: { core, actor: asPerson(person) }, id, input: input.data }),
      }));
    },
    revokeStanding: (person, id) =>
      outcome(async () => ({
        standing: await revokeStanding({ ctx: { core, actor: asPerson(person) }, id }),
      })),
    answer: (person, id, comment) =>
      outcome(async () => ({
        request: await answerQuestion({ ctx: { core, actor: asPerson(person) }, id, input: { comment } }),
      })),
    reviewOptions: (id) => reviewOptions(core, id),
    find: (person, idOrPrefix) =>
      outcome(async () => ({
        request: await findAction({ ctx: { core, actor: asPerson(person) }, idOrPrefix }),
      })),
    queue: async (person) => {
      const ctx = { core, actor: asPerson(person) };
      return { ...(await reviewQueue({ ctx })), standing: await listStanding({ ctx }) };
    },
    pairingCode: (person) => issuePairingCode({ ctx: { core, actor: asPerson(person) } }),
    get: (id) => requestOf(core, id),
    deciders: (request: ActionRequest) =>
      approverEmails(core, request.approvers).filter(
        (email) => !isRequesterHuman(email, request.requester.id, request.requester.owner),
      ),
    ...outboxSink(core, SLACK_SINK),
    messageOf: (actionId) => slackMessageOf(core, actionId),
    saveMessage: (actionId, ref) => saveSlackMessage(core, actionId, ref),
    claimPost: (actionId, channel) => claimSlackPost(core, actionId, channel),
    linkSlackUser: (person) => linkSlackUser(core, person.email, person.slackUserId),
    slackUserIdOf: (email) => slackUserIdOf(core, email),
    slackGroupHandles: () => {
      const { policy } = core.policy.current;
      return groupSlackHandles(policy, Object.keys(policy.groups));
    },
    setSlackGroup: (handle, emails) => core.directory.set(handle, emails),
  };
}
