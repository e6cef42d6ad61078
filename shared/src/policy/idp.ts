/**
 * Approver entries that name a group provisioned by the identity provider over SCIM:
 * `approvers: [idp:"SRE On-Call"]` (quotes needed when the name has spaces; `idp:sre` works too).
 * Their members live in the server's database, not in the policy, so the policy only names them.
 */
const IDP_ENTRY = /^idp:\s*(?:"([^"]+)"|([^"\s][^"]*))$/i;

/** The IdP group's display name an approver entry names, or undefined for an ordinary group. */
export function idpGroupName(entry: string): string | undefined {
  const match = IDP_ENTRY.exec(entry.trim());
  const name = (match?.[1] ?? match?.[2])?.trim();
  return name === undefined || name === '' ? undefined : name;
}

export const isIdpEntry = (entry: string): boolean => idpGroupName(entry) !== undefined;

/** The distinct IdP group names among a rule's approvers, in order. */
export function idpGroupsOf(approvers: readonly string[]): string[] {
  const names = new Map<string, string>();
  for (const entry of approvers) {
    const name = idpGroupName(entry);
    if (name !== undefined && !names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
  }
  return [...names.values()];
}
