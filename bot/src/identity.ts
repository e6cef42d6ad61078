import { normalizeEmail } from '@countersign/shared';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Mentions } from './blocks/format';
import type { ApprovalsPort, SlackPerson } from './port';
import { NO_EMAIL, unusableEmail } from './wording';

// Long enough to spare Slack's rate limits on busy channels, short enough that a changed email or a
// deactivated user stops counting within minutes.
const TTL_MS = 5 * 60_000;

type Cached<T> = { value: T; at: number };

/**
 * Who a Slack user is: the email Slack holds for them (users.info), which is what the policy names.
 * The core decides eligibility and self-approval; this only says who is asking. No email, no identity.
 */
export class Identity {
  readonly #client: WebClient;
  readonly #port: ApprovalsPort;
  readonly #log: Logger;
  readonly #people = new Map<string, Cached<SlackPerson | undefined>>();
  readonly #ids = new Map<string, Cached<string | undefined>>();
  readonly #unusable = new Map<string, Cached<string>>();
  #teamId: Promise<string | undefined> | undefined;

  constructor(client: WebClient, port: ApprovalsPort, log: Logger) {
    this.#client = client;
    this.#port = port;
    this.#log = log;
  }

  async person(slackUserId: string): Promise<SlackPerson | undefined> {
    const hit = this.#people.get(slackUserId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    const info = await this.#client.users.info({ user: slackUserId });
    const user = info.user;
    const team = await this.#team();
    // Only full members of this workspace vouch for an email: not bots, deactivated users, guests,
    // Slack Connect strangers or people from another team (whose organisation sets their emails),
    // and not an address the user never confirmed.
    const trusted =
      user !== undefined &&
      !user.deleted &&
      !user.is_bot &&
      !user.is_restricted &&
      !user.is_ultra_restricted &&
      !(user as { is_stranger?: boolean }).is_stranger &&
      user.is_email_confirmed !== false &&
      (user.team_id === undefined || user.team_id === team);
    const given = trusted ? user.profile?.email : undefined;
    // The one normalisation: a look-alike (U+212A KELVIN SIGN for K) is refused, never lower-cased into
    // someone else's address, and nothing is linked, paired or decided for it.
    const checked = given === undefined ? undefined : normalizeEmail(given);
    if (checked && !checked.ok) {
      this.#log.warn(
        { slackUserId, reason: checked.reason },
        'a Slack profile email is not a usable identity',
      );
      this.#unusable.set(slackUserId, { value: checked.reason, at: Date.now() });
    } else this.#unusable.delete(slackUserId);
    const person = checked?.ok ? { slackUserId, email: checked.email } : undefined;
    this.#people.set(slackUserId, { value: person, at: Date.now() });
    if (person) {
      this.#ids.set(person.email, { value: slackUserId, at: Date.now() });
      await this.#port
        .linkSlackUser(person)
        .catch((error: unknown) => this.#log.warn({ err: error }, 'could not link a Slack user'));
    }
    return person;
  }

  /** Why `person()` found no one for this Slack user, in words for them (after a call to `person`). */
  refusal(slackUserId: string): string {
    const reason = this.#unusable.get(slackUserId)?.value;
    return reason === undefined ? NO_EMAIL : unusableEmail(reason);
  }

  /** The workspace the bot is installed in (auth.test), asked once. */
  #team(): Promise<string | undefined> {
    this.#teamId ??= this.#client.auth.test().then((r) => r.team_id);
    return this.#teamId;
  }

  /** The Slack user id for an email: known from an earlier visit, else users.lookupByEmail. */
  async slackIdOf(email: string): Promise<string | undefined> {
    const hit = this.#ids.get(email);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    let id = await this.#port.slackUserIdOf(email);
    if (!id) {
      const found = await this.#client.users.lookupByEmail({ email }).catch(() => undefined);
      id = found?.user?.id;
    }
    this.#ids.set(email, { value: id, at: Date.now() });
    return id;
  }

  /** Mentions for every person named in these principals (`user:<email>`) or emails. */
  async mentions(names: Iterable<string>): Promise<Mentions> {
    const emails = new Set(
      [...names]
        .map((n) => (n.startsWith('user:') ? n.slice('user:'.length) : n))
        .filter((n) => n.includes('@')),
    );
    const entries = await Promise.all(
      [...emails].map(async (email) => [email, await this.slackIdOf(email)] as const),
    );
    return Object.fromEntries(entries.filter((e): e is readonly [string, string] => e[1] !== undefined));
  }

  /** Resolves the Slack user groups the policy names (`slack:@sre-oncall`) into emails for the core. */
  async refreshGroups(): Promise<void> {
    const handles = this.#port.slackGroupHandles();
    if (handles.length === 0) return;
    const { usergroups = [] } = await this.#client.usergroups.list({});
    for (const handle of handles) {
      const group = usergroups.find((g) => `@${g.handle ?? ''}`.toLowerCase() === handle.toLowerCase());
      if (!group?.id) {
        this.#log.warn(
          { handle },
          'the policy names a Slack user group that does not exist; it has no members',
        );
        this.#port.setSlackGroup(handle, []);
        continue;
      }
      const { users = [] } = await this.#client.usergroups.users.list({ usergroup: group.id });
      const people = await Promise.all(users.map((id) => this.person(id).catch(() => undefined)));
      this.#port.setSlackGroup(
        handle,
        people.flatMap((p) => (p ? [p.email] : [])),
      );
    }
  }
}
