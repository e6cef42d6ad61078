import type { ActionRequest } from '@countersign/shared';

/**
 * A request as an audit event records it (docs/audit.md, "What a request event holds"): the API's
 * view at that moment, minus what must never reach an export. An auditor's export is copied, mailed
 * and kept for years, so nothing in it may redeem or call anything: no grant token, and of the
 * callback only the origin it goes to, never its credentials, path or query (webhook URLs carry their
 * secret in either: `?token=…`, Slack's `/services/T…/B…/<secret>`, Zapier's catch hooks).
 */
export type AuditedRequest = Omit<ActionRequest, 'grant'> & { callbackUrl?: string };

/** scheme://host[:port] of a callback URL: no userinfo, no path, no query, no fragment. */
export function callbackDestination(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  return new URL(url).origin;
}

/**
 * The data of every event that records a request (action.submitted, action.allowed, action.blocked).
 * `view` is toActionRequest's answer for the same moment; a grant in it is dropped, whoever the view
 * was built for, so a caller cannot leak one by passing the requester's own view.
 */
export function auditedRequest(view: ActionRequest, callbackUrl: string | null): AuditedRequest {
  const { grant: _grant, ...request } = view;
  // Fail closed: a callback that does not parse (none should: the API checks it) is left out whole.
  const destination = callbackUrl === null ? undefined : callbackDestination(callbackUrl);
  return destination === undefined ? request : { ...request, callbackUrl: destination };
}

/**
 * What the console and other readers take from a request event, whatever its shape: this module's
 * (`rule: {name}`), the database row that events before it held (`ruleName`), or a policy reload's
 * block (`rule` a name). Events already written keep their data (the chain hashes it as stored), so
 * every shape is read for as long as the log is kept.
 */
export type RequestEventFacts = { rule?: string; reason?: string; status?: string };

function ruleName(data: Record<string, unknown>): string | undefined {
  const { rule } = data;
  if (typeof rule === 'string') return rule;
  if (typeof rule === 'object' && rule !== null && 'name' in rule && typeof rule.name === 'string')
    return rule.name;
  return typeof data.ruleName === 'string' ? data.ruleName : undefined;
}

export function requestEventFacts(data: Record<string, unknown>): RequestEventFacts {
  const name = ruleName(data);
  return {
    ...(name !== undefined && { rule: name }),
    ...(typeof data.reason === 'string' && { reason: data.reason }),
    ...(typeof data.status === 'string' && { status: data.status }),
  };
}
