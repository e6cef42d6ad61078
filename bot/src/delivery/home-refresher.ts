import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { homeView } from '../blocks/home';
import type { Identity } from '../identity';
import type { ApprovalsPort, SlackPerson } from '../port';

/** Republishes the App Home of people whose queue changed. Best effort: a stale tab fixes itself on open. */
export class HomeRefresher {
  readonly #client: WebClient;
  readonly #port: ApprovalsPort;
  readonly #identity: Identity;
  readonly #log: Logger;
  /** COUNTERSIGN_PUBLIC_URL: where a step-up request's buttons lead (the console), if set. */
  readonly #consoleUrl: string | undefined;

  constructor(
    client: WebClient,
    port: ApprovalsPort,
    identity: Identity,
    log: Logger,
    consoleUrl?: string | undefined,
  ) {
    this.#client = client;
    this.#port = port;
    this.#identity = identity;
    this.#log = log;
    this.#consoleUrl = consoleUrl;
  }

  async publish(person: SlackPerson, notice?: string): Promise<void> {
    const queue = await this.#port.queue(person);
    const all = [
      ...queue.reviewable,
      ...queue.mine,
      ...queue.decided,
      ...(queue.followUps ?? []),
      ...(queue.closedFollowUps ?? []),
    ];
    const mentions = await this.#identity.mentions([
      ...all.flatMap((r) => [
        r.requester.id,
        ...r.reviews.map((v) => v.reviewer),
        ...(r.breakGlass?.by ? [r.breakGlass.by] : []),
        ...(r.breakGlass?.followUp?.by ? [r.breakGlass.followUp.by] : []),
      ]),
      ...(queue.standing ?? []).flatMap((s) => [s.requester, s.by]),
    ]);
    await this.#client.views.publish({
      user_id: person.slackUserId,
      view: homeView(queue, mentions, notice, this.#consoleUrl),
    });
  }

  /** Refreshes the tabs of these people, where Slack knows them. */
  async refresh(emails: string[]): Promise<void> {
    for (const email of new Set(emails)) {
      try {
        const slackUserId = await this.#port.slackUserIdOf(email);
        if (slackUserId) await this.publish({ slackUserId, email });
      } catch (error) {
        this.#log.warn(
          { err: error instanceof Error ? error.message : String(error), email },
          'could not refresh an App Home',
        );
      }
    }
  }
}
