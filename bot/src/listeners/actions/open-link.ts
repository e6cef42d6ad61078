import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { OPEN_ACTION } from '../../blocks/request-message';

/**
 * "Open in Countersign" is a link button: the browser opens the page, and Slack still sends the
 * click to the app. Acknowledged and nothing else, or Slack shows the clicker a warning.
 */
export function register(app: App): void {
  app.action<BlockAction<ButtonAction>>(OPEN_ACTION, async ({ ack }) => {
    await ack();
  });
}
