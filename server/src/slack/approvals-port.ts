import type { ApprovalsPort, Delivery, Outcome, SlackPerson } from '@countersign/bot';
import { type ActionRequest, ReviewInput } from '@countersign/shared';
import { groupSlackHandles } from '@countersign/shared/policy';
import type { z } from 'zod';
import type { Actor } from '../context';
import { DomainError } from '../errors';
import { approverEmails, isRequesterHuman } from '../services/actions/access';
import { answerQuestion } from '../services/actions/answer-question';
import { findAction } from '../services/actions/find-action';
import { listStanding } from '../services/actions/list-standing';
import { reviewAction } from '../services/actions/review-action';
import { reviewOptions } from '../services/actions/review-options';
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
const SYSTEM: Actor = { kind: 'system', id: 'system:server' };

/** Domain refusals become values the bot can word; anything else is a real failure and propagates. */
async function outcome<T extends object>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

/** A review the schema refuses, as a refusal the bot words (the field at fault and why). */
function invalidInput(error: z.ZodError): Outcome<never> {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, code: 'invalid_request', message: `${where}${issue?.message ?? 'invalid review'}` };
}

/** The approval core as the Slack bot sees it: each method one service verb, acting as the Slack person. */
export function approvalsPort(core: Core): ApprovalsPort {
  const toDelivery = (item: OutboxItem): Delivery => ({
    id: item.id,
    actionId: item.actionId,
    event: item.event,
    payload: item.payload,
    attempts: item.attempts,
  });
  return {
    review: (person, id, decision, comment, extras) => {
      // The same schema as POST /v1/actions/{id}/reviews: amended params keep its size and depth bounds.
      const input = ReviewInput.safeParse({ decision, ...(comment && { comment }), ...extras });
      if (!input.success) return Promise.resolve(invalidInput(input.error));
      return outcome(async () => ({
        request: await reviewAction({ ctx: { core, actor: asPerson(person) }, id, input: input.data }),
      }));
    },
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
    get: async (id) => {
      const loaded = await loadAction(core.database.db, id);
      return loaded ? toActionRequest(core, loaded, SYSTEM) : undefined;
    },
    deciders: (request: ActionRequest) =>
      approverEmails(core, request.approvers).filter(
        (email) => !isRequesterHuman(email, request.requester.id, request.requester.owner),
      ),
    due: async (limit) => (await claimDeliveries(core, SLACK_SINK, limit)).map(toDelivery),
    nextDueAt: () => nextDueAt(core, SLACK_SINK),
    delivered: (id) => markDelivered(core, id),
    failed: (delivery, error, retryAt) => markFailed(core, delivery, error, retryAt),
    release: (ids) => releaseDeliveries(core, ids),
    onChange: (fn) => core.events.on('*', fn),
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
