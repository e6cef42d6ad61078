import type { BlockAction } from '@slack/bolt';

/**
 * Where a click came from: a message in a channel (refusals go there, as ephemerals) or the App Home
 * (refusals become a notice on the tab, which has no channel to post in).
 */
export function origin(body: BlockAction) {
  const channel = body.channel?.id;
  const ts = body.message?.ts;
  return {
    channel,
    user: body.user.id,
    fromHome: body.view?.type === 'home',
    ref: channel && ts ? { channel, ts } : undefined,
  };
}
