import { normalizeEmail } from '../identity/email';
import { idpGroupName, idpGroupsOf } from './idp';
import type { Policy } from './types';

const isSlackEntry = (member: string): boolean => member.toLowerCase().startsWith('slack:');

function membersOf(policy: Policy, group: string): readonly string[] {
  return (Object.hasOwn(policy.groups, group) ? policy.groups[group] : undefined) ?? [];
}

/** The distinct member emails (lower-cased) of the named groups; unknown groups add no one. */
export function groupMembers(policy: Policy, groups: readonly string[]): string[] {
  const emails = new Set<string>();
  for (const group of groups) {
    for (const member of membersOf(policy, group)) {
      if (!isSlackEntry(member) && idpGroupName(member) === undefined) emails.add(member.toLowerCase());
    }
  }
  return [...emails];
}

/** The `slack:@handle` entries of the named groups, left for a Slack resolver to expand. */
export function groupSlackHandles(policy: Policy, groups: readonly string[]): string[] {
  const handles = new Set<string>();
  for (const group of groups) {
    for (const member of membersOf(policy, group)) {
      if (isSlackEntry(member)) handles.add(member.slice('slack:'.length).toLowerCase());
    }
  }
  return [...handles];
}

/**
 * The identity provider's groups that approver entries reach: `idp:"…"` entries named directly, and
 * those listed as members of the named policy groups (`sre: [idp:"SRE On-Call"]` maps an IdP group
 * into a policy group). Left for the server's IdP directory to expand.
 */
export function groupIdpNames(policy: Policy, groups: readonly string[]): string[] {
  return idpGroupsOf([...groups, ...groups.flatMap((group) => membersOf(policy, group))]);
}

/** Whether `email` may review for any of the named groups (Slack and IdP entries are not consulted). */
export function isGroupMember(policy: Policy, groups: readonly string[], email: string): boolean {
  // Lower-casing alone would turn U+212A KELVIN SIGN into "k": only a usable address can be a member.
  const checked = normalizeEmail(email);
  return checked.ok && groupMembers(policy, groups).includes(checked.email);
}

/**
 * The policy groups whose members include `email`, by the caller's notion of membership
 * (`membersOf(groups)`: the server passes the approver expansion, Slack and IdP groups included;
 * `policy test` the file's own emails). What a condition reads as `requester.groups`.
 */
export function groupsContaining(
  policy: Policy,
  email: string,
  membersOf: (groups: readonly string[]) => readonly string[] = (groups) => groupMembers(policy, groups),
): string[] {
  const checked = normalizeEmail(email);
  if (!checked.ok) return [];
  return Object.keys(policy.groups).filter((group) => membersOf([group]).includes(checked.email));
}
