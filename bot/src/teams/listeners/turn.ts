import { INVOKE_RESPONSE_KEY, type TurnContext } from '@microsoft/agents-hosting';
import type { TeamsDeps } from '../deps';
import { onCardAction } from './card-action';
import { clickOf } from './click';
import { onCommand } from './commands';
import { onConversationUpdate } from './installed';

/** One inbound activity, routed by kind: a card click (invoke), a message (command or Submit fallback), an install. */
export async function onTurn(deps: TeamsDeps, context: TurnContext): Promise<void> {
  const { activity } = context;
  switch (activity.type) {
    case 'invoke': {
      const click = activity.name === 'adaptiveCard/action' ? clickOf(activity.value) : undefined;
      if (click) return onCardAction(deps, context, click, true);
      // An invoke we do not handle: Teams expects 501, not an empty 200.
      context.turnState.set(INVOKE_RESPONSE_KEY, { type: 'invokeResponse', value: { status: 501 } });
      return;
    }
    case 'message': {
      // An old client's Action.Submit arrives as a message whose value carries the button's data.
      const click = activity.value === undefined ? undefined : clickOf(activity.value);
      if (click) return onCardAction(deps, context, click, false);
      return onCommand(deps, context);
    }
    case 'conversationUpdate':
      return onConversationUpdate(deps, context);
    default:
      return;
  }
}
