import type { ActionRequest } from '@countersign/shared';

/** Slack user ids of the people a message mentions, by email; unknown people are shown by email. */
export type Mentions = Readonly<Record<string, string>>;

/** Escaped first, then cut: escaping after cutting could push a text past its limit. */
export const inert = (text: string, max: number): string => truncate(escapeMrkdwn(text), max);

export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

// Slack renders these characters as markup; escaping them keeps a request's own text inert.
export const escapeMrkdwn = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|private[-_]?key|credential|auth|session|cookie/i;
// Credential shapes, found anywhere in a value (a command line can carry a key among its words).
const SECRET_VALUE =
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|\b(?:xox[abprs]|ghp|gho|glpat|sk|csk|csg|whsec)[-_][A-Za-z0-9_-]{8,}|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;

/** A copy of `value` with secret-looking entries masked: by key name, or by a value that looks like a credential. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '…';
  if (typeof value === 'string') return value.replace(SECRET_VALUE, '••••••');
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '••••••' : maskSecrets(v, depth + 1)]),
    );
  }
  return value;
}

/** A compact, masked, bounded preview of the params, for a code block. */
export function paramsPreview(params: Record<string, unknown> | undefined, max = 900): string | undefined {
  if (!params || Object.keys(params).length === 0) return undefined;
  return truncate(
    JSON.stringify(maskSecrets(params), null, 1).replaceAll('\n', ' ').replace(/\s+/g, ' '),
    max,
  );
}

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
