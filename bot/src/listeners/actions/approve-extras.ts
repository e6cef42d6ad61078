import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { amendModal, noticeModal, standingModal } from '../../blocks/approve-modals';
import { AMEND_ACTION, STANDING_ACTION } from '../../blocks/request-message';
import { type BotDeps, tell } from '../../deps';

/**
 * "Approve with changes…" and "Approve for 1h…" on a request's message: each opens its modal. Nothing
 * is decided by the click; the rule is asked again here (a message may predate a policy change) and the
 * core checks everything once more when the modal is submitted.
 */
export function register(app: App, deps: BotDeps): void {
  const open = (kind: 'amend' | 'standing') =>
    app.action<BlockAction<ButtonAction>>(
      kind === 'amend' ? AMEND_ACTION : STANDING_ACTION,
      async ({ ack, body, action, client }) => {
        await ack();
        const channel = body.channel?.id;
        const ts = body.message?.ts;
        const ref = channel && ts ? { channel, ts } : undefined;
        const where = { channel, user: body.user.id };
        const person = await deps.identity.person(body.user.id);
        if (!person) return tell(deps, client, where, deps.identity.refusal(body.user.id));
        const found = await deps.port.find(person, action.value ?? '');
        if (!found.ok) return tell(deps, client, where, found.message);
        const options = await deps.port.reviewOptions(found.request.id);
        let view: ModalView;
        if (kind === 'amend') {
          view = options?.amend
            ? (amendModal(found.request, ref) ??
              noticeModal(
                'Approve with changes',
                'These params are too long to edit in Slack: amend them in the console.',
              ))
            : noticeModal(
                'Approve with changes',
                "This request can't be amended: its rule forbids it, or someone already approved it as submitted.",
              );
        } else {
          view = options?.standing
            ? standingModal(found.request, options.standing, ref)
            : noticeModal('Approve for a while', "This request's rule does not allow standing approvals.");
        }
        await client.views.open({ trigger_id: body.trigger_id, view });
      },
    );
  open('amend');
  open('standing');
}
