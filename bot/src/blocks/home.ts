import type { ActionRequest, StandingApproval } from '@countersign/shared';
import type { Button, HomeView, KnownBlock } from '@slack/types';
import type { Queue } from '../port';
import { breakGlassButton, breakGlassOpen } from './break-glass';
import { followUpButtons, followUpClosedLine, followUpOpen } from './follow-up';
import { escapeMrkdwn, inert, type Mentions, requesterLine, slackDate, truncate, who } from './format';
import { decisionButtons, outcomeLine } from './request-message';

export const REVOKE_STANDING_ACTION = 'countersign.revoke_standing';

// A Home tab holds at most 100 blocks: two per request to decide, one per other line, plus headings.
const MAX_TO_DECIDE = 20;
const MAX_OTHERS = 12;
// Follow-ups (a line and its buttons each) and standing approvals (a line each, its Revoke beside it):
// shown only when there are any, within the 100 blocks.
const MAX_LIVE = 5;

function summary(request: ActionRequest, mentions: Mentions): string {
  const target = request.resource ? ` on \`${inert(request.resource, 150)}\`` : '';
  const env = request.environment ? ` in ${escapeMrkdwn(request.environment)}` : '';
  return `*\`${inert(request.action, 150)}\`*${target}${env} · ${requesterLine(request, mentions)}`;
}

const section = (text: string, accessory?: Button): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, 2900) },
  ...(accessory && { accessory }),
});
const heading = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text } });

/**
 * The on-call queue: what the viewer may decide now (nearest expiry first), what they raised, what they
 * decided. With `consoleUrl` (COUNTERSIGN_PUBLIC_URL) a step-up request's Approve and Break glass are
 * links to the console's step-up page, as on the request's message: Slack cannot make the step-up.
 */
export function homeView(queue: Queue, mentions: Mentions, notice?: string, consoleUrl?: string): HomeView {
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push(section(`:warning: ${notice}`), { type: 'divider' });
  blocks.push(heading(`Waiting for you (${queue.reviewable.length})`));
  if (queue.reviewable.length === 0) blocks.push(section('Nothing needs your countersignature right now.'));
  const toDecide = [...queue.reviewable].sort((a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? ''));
  for (const request of toDecide.slice(0, MAX_TO_DECIDE)) {
    const due = request.expiresAt ? ` · expires ${slackDate(request.expiresAt)}` : '';
    blocks.push(
      section(
        `${summary(request, mentions)}\nApprovals ${request.approvals.received} of ${request.approvals.required}${due} · \`${request.id}\``,
      ),
    );
    blocks.push(decisionButtons(request, consoleUrl));
  }
  if (toDecide.length > MAX_TO_DECIDE)
    blocks.push(section(`…and ${toDecide.length - MAX_TO_DECIDE} more: \`/approvals\` lists them all.`));

  blocks.push(...liveBlocks(queue, mentions));

  blocks.push({ type: 'divider' }, heading('Your requests'));
  if (queue.mine.length === 0) blocks.push(section('You (and agents you own) have no requests yet.'));
  for (const request of queue.mine.slice(0, MAX_OTHERS)) {
    const state =
      request.status === 'pending'
        ? `pending, ${request.approvals.received} of ${request.approvals.required}`
        : outcomeLine(request, mentions);
    // The requester's side sees its own pending requests here: where the rule allows, it may break the glass.
    const glass = breakGlassOpen(request) ? breakGlassButton(request, consoleUrl) : undefined;
    blocks.push(section(`${summary(request, mentions)}\n${state}`, glass));
  }

  blocks.push({ type: 'divider' }, heading('Your recent decisions'));
  if (queue.decided.length === 0) blocks.push(section('You have not reviewed anything yet.'));
  for (const request of queue.decided.slice(0, MAX_OTHERS))
    blocks.push(section(`${summary(request, mentions)}\n${outcomeLine(request, mentions)}`));
  return { type: 'home', blocks };
}

/** A break-glass awaiting its follow-up review: who broke it, why, and by when it must be looked at. */
export function followUpLine(request: ActionRequest, mentions: Mentions): string {
  const glass = request.breakGlass;
  const by = glass?.by ? who(glass.by, mentions) : 'the requester';
  const reason = glass?.reason ? `: “${inert(glass.reason, 300)}”` : '';
  const due = glass?.followUp?.dueAt ? ` · review due ${slackDate(glass.followUp.dueAt)}` : '';
  return `:rotating_light: ${summary(request, mentions)}
Broken by ${by}${reason}${due} · \`${request.id}\``;
}

/**
 * Open follow-ups with their buttons, then those closed lately with who closed them in the buttons'
 * place (one block each, within the same MAX_LIVE lines: the Home's 100 blocks are counted).
 */
function followUpBlocks(open: ActionRequest[], closed: ActionRequest[], mentions: Mentions): KnownBlock[] {
  if (open.length === 0 && closed.length === 0) return [];
  const blocks: KnownBlock[] = [{ type: 'divider' }, heading(`Break-glass follow-ups (${open.length})`)];
  for (const request of open.slice(0, MAX_LIVE)) {
    blocks.push(section(followUpLine(request, mentions)));
    if (followUpOpen(request)) blocks.push(followUpButtons(request));
  }
  if (open.length > MAX_LIVE)
    blocks.push(section(`…and ${open.length - MAX_LIVE} more: the console lists them all.`));
  for (const request of closed.slice(0, Math.max(0, MAX_LIVE - open.length))) {
    const line = followUpClosedLine(request, mentions);
    if (line) blocks.push(section(`${followUpLine(request, mentions)}\n${line}`));
  }
  return blocks;
}

/** A live standing approval: what it covers, for whom, who gave it, until when and how many uses remain. */
export function standingLine(standing: StandingApproval, mentions: Mentions): string {
  const target = `${standing.resource ? ` on \`${inert(standing.resource, 150)}\`` : ''}${standing.environment ? ` in \`${inert(standing.environment, 100)}\`` : ''}`;
  const uses = `${standing.usesLeft} ${standing.usesLeft === 1 ? 'use' : 'uses'} left`;
  return `:repeat: *\`${inert(standing.action, 150)}\`*${target} · for ${who(standing.requester, mentions)}\nApproved by ${who(standing.by, mentions)} until ${slackDate(standing.until)} · ${uses} · \`${standing.id}\``;
}

function liveBlocks(queue: Queue, mentions: Mentions): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const list = <T>(title: string, items: T[], lines: (item: T) => KnownBlock[]) => {
    if (items.length === 0) return;
    blocks.push({ type: 'divider' }, heading(`${title} (${items.length})`));
    for (const item of items.slice(0, MAX_LIVE)) blocks.push(...lines(item));
    if (items.length > MAX_LIVE)
      blocks.push(section(`…and ${items.length - MAX_LIVE} more: the console lists them all.`));
  };
  blocks.push(...followUpBlocks(queue.followUps ?? [], queue.closedFollowUps ?? [], mentions));
  list('Standing approvals', queue.standing ?? [], (s) => [
    section(standingLine(s, mentions), revokeButton(s)),
  ]);
  return blocks;
}

/**
 * Revoke, beside a live standing approval, behind Slack's confirm dialog. Shown to whoever sees the line
 * (a requester sees their own): the core lets only an approver of its groups revoke it.
 */
function revokeButton(standing: StandingApproval): Button {
  const target = standing.resource ? ` on ${standing.resource}` : '';
  return {
    type: 'button',
    action_id: REVOKE_STANDING_ACTION,
    style: 'danger',
    text: { type: 'plain_text', text: 'Revoke' },
    value: standing.id,
    confirm: {
      title: { type: 'plain_text', text: 'Revoke this standing approval?' },
      // A confirm dialog's text holds at most 300 characters.
      text: {
        type: 'plain_text',
        text: truncate(
          `No later ${standing.action}${target} request is approved by it; each needs a review again.`,
          300,
        ),
      },
      confirm: { type: 'plain_text', text: 'Revoke' },
      deny: { type: 'plain_text', text: 'Keep it' },
    },
  };
}
