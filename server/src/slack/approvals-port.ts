import type { ApprovalsPort, SlackPerson } from '@countersign/bot';
import type { ActionRequest } from '@countersign/shared';
import { groupSlackHandles } from '@countersign/shared/policy';
import { chatVerbs, outboxSink } from '../chat/chat-port';
import type { Actor } from '../context';
import { approverEmails, isRequesterHuman } from '../services/actions/access';
import type { Core } from '../services/core';
import { usableEmail } from '../services/identity/usable-email';
import { followUpPostsOf, forgetFollowUpPost, saveFollowUpPost } from '../services/slack/follow-up-posts';
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
    ...chatVerbs(core, asPerson),
    deciders: (request: ActionRequest) =>
      approverEmails(core, request.approvers).filter(
        (email) => !isRequesterHuman(email, request.requester.id, request.requester.owner),
      ),
    ...outboxSink(core, SLACK_SINK),
    messageOf: (actionId) => slackMessageOf(core, actionId),
    saveMessage: (actionId, ref) => saveSlackMessage(core, actionId, ref),
    claimPost: (actionId, channel) => claimSlackPost(core, actionId, channel),
    saveFollowUpPost: (actionId, ref) => saveFollowUpPost(core, actionId, ref),
    followUpPostsOf: (actionId) => followUpPostsOf(core, actionId),
    forgetFollowUpPost: (actionId, ref) => forgetFollowUpPost(core, actionId, ref),
    linkSlackUser: (person) => linkSlackUser(core, person.email, person.slackUserId),
    slackUserIdOf: (email) => slackUserIdOf(core, email),
    slackGroupHandles: () => {
      const { policy } = core.policy.current;
      return groupSlackHandles(policy, Object.keys(policy.groups));
    },
    setSlackGroup: (handle, emails) => core.directory.set(handle, emails),
  };
}
