import type { StandingApproval } from '@countersign/shared';
import { execute, REVOKE_VERB } from './forms';
import { type Card, plain, speech, when } from './request-card';

// A message card stays well under Teams' 28 KB with this many entries; the console lists the rest.
const MAX_SHOWN = 10;

/** One live standing approval: what it covers, for whom, who gave it, until when, uses left; and Revoke. */
function entry(standing: StandingApproval): Record<string, unknown> {
  const target = `${standing.resource ? ` on ${plain(standing.resource, 200)}` : ''}${standing.environment ? ` in ${plain(standing.environment, 100)}` : ''}`;
  const uses = `${standing.usesLeft} ${standing.usesLeft === 1 ? 'use' : 'uses'} left`;
  return {
    type: 'Container',
    separator: true,
    items: [
      {
        type: 'TextBlock',
        wrap: true,
        text: `🔁 **${plain(standing.action, 150)}**${target} · for ${speech.who(standing.requester)}`,
      },
      {
        type: 'TextBlock',
        wrap: true,
        isSubtle: true,
        text: `Approved by ${speech.who(standing.by)} until ${when(standing.until)} · ${uses} · ${standing.id}`,
      },
      {
        type: 'ActionSet',
        actions: [execute('Revoke', REVOKE_VERB, { standingId: standing.id }, 'destructive')],
      },
    ],
  };
}

/**
 * The live standing approvals a person may see, each with Revoke (any approver of its groups may;
 * the core refuses anyone else in words). A requester sees their own, and Revoke is refused for them.
 */
export function standingCard(list: StandingApproval[]): Card {
  const more = list.length - MAX_SHOWN;
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: `Standing approvals (${list.length})`, size: 'Medium', weight: 'Bolder' },
      ...list.slice(0, MAX_SHOWN).map(entry),
      ...(more > 0
        ? [{ type: 'TextBlock', text: `…and ${more} more: the console lists them all.`, isSubtle: true }]
        : []),
    ],
  };
}
