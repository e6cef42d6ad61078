import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { OPEN_ACTION, STEP_UP_ACTION } from '../../blocks/request-message';

/**
 * "Open in Countersign" is a link button: the browser opens the page, and Slack still sends the
 * click to the app. Acknowledged and nothing else, or Slack shows the clicker a warning.
 */
export function register(app: App): void {
  app.action<BlockAction<ButtonAction>>(OPEN_ACTION, async ({ ack }) => {
    await ack();
  });
  // Approve on a step-up request opens the console's step-up page the same way; nothing is decided here.
  app.action<BlockAction<ButtonAction>>(STEP_UP_ACTION, async ({ ack }) => {
    await ack();
  });
}
