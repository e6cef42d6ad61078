import type { ActionRequest } from '@countersign/shared';
import type { HomeView, KnownBlock } from '@slack/types';
import type { Queue } from '../port';
import { escapeMrkdwn, inert, type Mentions, requesterLine, slackDate, truncate } from './format';
import { decisionButtons, outcomeLine } from './request-message';

// A Home tab holds at most 100 blocks: two per request to decide, one per other line, plus headings.
const MAX_TO_DECIDE = 20;
const MAX_OTHERS = 12;

function summary(request: ActionRequest, mentions: Mentions): string {
  const target = request.resource ? ` on \`${inert(request.resource, 150)}\`` : '';
  const env = request.environment ? ` in ${escapeMrkdwn(request.environment)}` : '';
  return `*\`${inert(request.action, 150)}\`*${target}${env} · ${requesterLine(request, mentions)}`;
}

const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, 2900) },
});
const heading = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text } });

/** The on-call queue: what the viewer may decide now (nearest expiry first), what they raised, what they decided. */
export function homeView(queue: Queue, mentions: Mentions, notice?: string): HomeView {
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
    blocks.push(decisionButtons(request));
  }
  if (toDecide.length > MAX_TO_DECIDE)
    blocks.push(section(`…and ${toDecide.length - MAX_TO_DECIDE} more: \`/approvals\` lists them all.`));

  blocks.push({ type: 'divider' }, heading('Your requests'));
  if (queue.mine.length === 0) blocks.push(section('You (and agents you own) have no requests yet.'));
  for (const request of queue.mine.slice(0, MAX_OTHERS)) {
    const state =
      request.status === 'pending'
        ? `pending, ${request.approvals.received} of ${request.approvals.required}`
        : outcomeLine(request, mentions);
    blocks.push(section(`${summary(request, mentions)}\n${state}`));
  }

  blocks.push({ type: 'divider' }, heading('Your recent decisions'));
  if (queue.decided.length === 0) blocks.push(section('You have not reviewed anything yet.'));
  for (const request of queue.decided.slice(0, MAX_OTHERS))
    blocks.push(section(`${summary(request, mentions)}\n${outcomeLine(request, mentions)}`));
  return { type: 'home', blocks };
}
