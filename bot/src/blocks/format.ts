import type { ActionRequest } from '@countersign/shared';
import { truncate } from '../present';

/** Slack user ids of the people a message mentions, by email; unknown people are shown by email. */
export type Mentions = Readonly<Record<string, string>>;

/** Escaped first, then cut: escaping after cutting could push a text past its limit. */
export const inert = (text: string, max: number): string => truncate(escapeMrkdwn(text), max);

export { maskSecrets, paramsPreview, truncate } from '../present';

// Slack renders these characters as markup; escaping them keeps a request's own text inert.
export const escapeMrkdwn = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** `user:carol@example.com` → `<@U123>` when known, else the email; agents by name. */
export function who(principal: string, mentions: Mentions): string {
  if (principal.startsWith('user:')) {
    const email = principal.slice('user:'.length);
    const id = mentions[email];
    return id ? `<@${id}>` : escapeMrkdwn(email);
  }
  return escapeMrkdwn(principal);
}

export function requesterLine(request: ActionRequest, mentions: Mentions): string {
  const { id, owner } = request.requester;
  if (id.startsWith('agent:'))
    return `\`${escapeMrkdwn(id)}\`${owner ? ` (owner ${who(`user:${owner}`, mentions)})` : ''}`;
  const copilot = request.context.copilot;
  return `${who(id, mentions)}${typeof copilot === 'string' ? ` via ${escapeMrkdwn(copilot)}` : ''}`;
}

const SOURCES: Record<string, string> = {
  api: 'API',
  sdk: 'SDK',
  cli: 'CLI',
  extension: 'browser',
  mcp: 'MCP',
};

export function sourceLine(request: ActionRequest): string {
  const page = request.context.pageUrl;
  const base = SOURCES[request.source] ?? request.source;
  return typeof page === 'string' ? `${base}: ${inert(page, 200)}` : base;
}

/** Slack's date token: each reader sees the time in their own zone; the fallback is UTC. */
export function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${iso}>`;
}

export const shortId = (id: string): string => id.slice(0, 14);
