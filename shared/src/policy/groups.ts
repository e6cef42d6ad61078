import { normalizeEmail } from '../identity/email';
import type { Policy } from './types';

const isSlackEntry = (member: string): boolean => member.toLowerCase().startsWith('slack:');

/** The distinct member emails (lower-cased) of the named groups; unknown groups add no one. */
export function groupMembers(policy: Policy, groups: readonly string[]): string[] {
  const emails = new Set<string>();
  for (const group of groups) {
    const members = Object.hasOwn(policy.groups, group) ? policy.groups[group] : undefined;
    for (const member of members ?? []) {
      if (!isSlackEntry(member)) emails.add(member.toLowerCase());
    }
  }
  return [...emails];
}

/** The `slack:@handle` entries of the named groups, left for a Slack resolver to expand. */
export function groupSlackHandles(policy: Policy, groups: readonly string[]): string[] {
  const handles = new Set<string>();
  for (const group of groups) {
    const members = Object.hasOwn(policy.groups, group) ? policy.groups[group] : undefined;
    for (const member of members ?? []) {
      if (isSlackEntry(member)) handles.add(member.slice('slack:'.length).toLowerCase());
    }
  }
  return [...handles];
}

/** Whether `email` may review for any of the named groups (Slack entries are not consulted). */
export function isGroupMember(policy: Policy, groups: readonly string[], email: string): boolean {
  // Lower-casing alone would turn U+212A KELVIN SIGN into "k": only a usable address can be a member.
  const checked = normalizeEmail(email);
  return checked.ok && groupMembers(policy, groups).includes(checked.email);
}
