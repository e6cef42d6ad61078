import type { App } from '@slack/bolt';
import type { BotDeps } from '../../deps';

/** The on-call queue is rebuilt each time someone opens the bot's Home tab. */
export function register(app: App, deps: BotDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const person = await deps.identity.person(event.user);
    if (!person) {
      await client.views.publish({
        user_id: event.user,
        view: {
          type: 'home',
          blocks: [
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: `${deps.identity.refusal(event.user)} (So there is no queue to show.)`,
              },
            },
          ],
        },
      });
      return;
    }
    await deps.home.publish(person);
  });
}
