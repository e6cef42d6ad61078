/**
 * Members of Slack user groups named in the policy (`slack:@sre-oncall`), as last resolved by the
 * Slack bot. The core only reads this snapshot: a review never waits on Slack, and a handle nobody
 * has resolved yet has no members (fail closed).
 */
export class GroupDirectory {
  readonly #members = new Map<string, readonly string[]>();

  /** Whether the bot has resolved this handle since start-up (an empty group is resolved too). */
  isResolved(handle: string): boolean {
    return this.#members.has(handle.toLowerCase());
  }

  emailsOf(handle: string): readonly string[] {
    return this.#members.get(handle.toLowerCase()) ?? [];
  }

  set(handle: string, emails: readonly string[]): void {
    this.#members.set(
      handle.toLowerCase(),
      emails.map((e) => e.toLowerCase()),
    );
  }
}
