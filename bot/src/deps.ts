import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { HomeRefresher } from './delivery/home-refresher';
import type { Identity } from './identity';
import type { ApprovalsPort, SlackPerson } from './port';

export type BotDeps = { port: ApprovalsPort; identity: Identity; home: HomeRefresher; log: Logger };

/** Says something only the clicker sees: ephemeral in a channel, a notice on their Home tab otherwise. */
export async function tell(
  deps: BotDeps,
  client: WebClient,
  where: { channel?: string | undefined; user: string; person?: SlackPerson | undefined },
  text: string,
): Promise<void> {
  if (where.channel) {
    await client.chat.postEphemeral({ channel: where.channel, user: where.user, text });
  } else if (where.person) {
    await deps.home.publish(where.person, text);
  } else {
    const dm = await client.conversations.open({ users: where.user });
    if (dm.channel?.id) await client.chat.postMessage({ channel: dm.channel.id, text });
  }
}
