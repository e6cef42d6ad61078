import type { JsonObject, ResolvedOptions, SeedChannel, SeedUser, SeedUsergroup } from './types';

/** Seeded people, user groups and channels, and the DM channels opened with them. */
export class Directory {
  readonly users = new Map<string, SeedUser>();
  readonly usergroups = new Map<string, SeedUsergroup>();
  readonly #channelsById = new Map<string, SeedChannel>();
  readonly #dms = new Map<string, string>();
  #counter = 0;

  constructor(private readonly options: ResolvedOptions) {}

  addUser(user: SeedUser): void {
    this.users.set(user.id, user);
  }

  addUsergroup(group: SeedUsergroup): void {
    this.usergroups.set(group.id, { ...group, users: [...group.users] });
  }

  addChannel(channel: SeedChannel): void {
    this.#channelsById.set(channel.id, channel);
  }

  /** Seeded (and name-created) channels, in the order they became known. */
  get channels(): readonly SeedChannel[] {
    return [...this.#channelsById.values()];
  }

  /** An id that looks like Slack's: a type prefix and eight digits, unique within this emulator. */
  newId(prefix: string): string {
    this.#counter += 1;
    return `${prefix}${String(this.#counter).padStart(8, '0')}`;
  }

  /**
   * Resolves what a caller may pass as `channel` — an id, "#name", or a user id (which, as on Slack, means the
   * app's DM with that user) — to a channel id, or undefined when Slack would answer channel_not_found.
   */
  resolveChannel(channel: string): string | undefined {
    if (/^[UW][A-Z0-9]+$/.test(channel)) {
      return this.users.has(channel) ? this.openConversation([channel]) : undefined;
    }
    const name = channel.startsWith('#') ? channel.slice(1) : undefined;
    const known = [...this.#channelsById.values()].find((c) => c.id === channel || c.name === name);
    if (known !== undefined) return known.id;
    if ([...this.#dms.values()].includes(channel)) return channel;
    if (this.options.strictChannels) return undefined;
    if (name === undefined) return channel;
    // Unregistered names get a stable id so a later chat.update with that id finds the message.
    const created: SeedChannel = { id: this.newId('C'), name };
    this.addChannel(created);
    return created.id;
  }

  /** The DM (one user) or group DM (several) channel id for these users; the same users get the same id. */
  openConversation(userIds: readonly string[]): string {
    const key = [...userIds].sort().join(',');
    const existing = this.#dms.get(key);
    if (existing !== undefined) return existing;
    const id = this.newId(userIds.length === 1 ? 'D' : 'G');
    this.#dms.set(key, id);
    return id;
  }

  /** The user object users.info and users.lookupByEmail answer with. */
  userObject(user: SeedUser): JsonObject {
    const name = user.name ?? user.email.split('@')[0] ?? user.id;
    const realName = user.realName ?? name;
    return {
      id: user.id,
      team_id: user.teamId ?? this.options.teamId,
      name,
      deleted: user.deleted ?? false,
      real_name: realName,
      tz: user.tz ?? 'Etc/UTC',
      tz_label: user.tzLabel ?? 'Coordinated Universal Time',
      tz_offset: user.tzOffset ?? 0,
      is_bot: user.isBot ?? false,
      is_app_user: false,
      is_restricted: user.isRestricted ?? false,
      is_ultra_restricted: false,
      is_email_confirmed: user.emailConfirmed ?? true,
      ...(user.isStranger && { is_stranger: true }),
      profile: {
        email: user.email,
        real_name: realName,
        real_name_normalized: realName,
        display_name: name,
        display_name_normalized: name,
        team: this.options.teamId,
      },
    };
  }

  reset(): void {
    this.users.clear();
    this.usergroups.clear();
    this.#channelsById.clear();
    this.#dms.clear();
  }
}
