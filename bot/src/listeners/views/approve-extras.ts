import type { App } from '@slack/bolt';
import {
  AMEND_MODAL,
  FOR_BLOCK,
  FOR_INPUT,
  PARAMS_BLOCK,
  PARAMS_INPUT,
  parseAmendedParams,
  parseStandingTerms,
  RESOURCE_BLOCK,
  RESOURCE_INPUT,
  STANDING_MODAL,
  USES_BLOCK,
  USES_INPUT,
} from '../../blocks/approve-modals';
import type { BotDeps } from '../../deps';

const metadata = (text: string): { id: string; digest?: string } | undefined => {
  try {
    const parsed = JSON.parse(text) as { id?: unknown; digest?: unknown };
    if (typeof parsed.id !== 'string') return undefined;
    return { id: parsed.id, ...(typeof parsed.digest === 'string' && { digest: parsed.digest }) };
  } catch {
    return undefined;
  }
};

const STANDING_FIELDS: Record<string, string> = {
  'standing.resource': RESOURCE_BLOCK,
  'standing.uses': USES_BLOCK,
  'standing.for': FOR_BLOCK,
};

/**
 * The submissions of "Approve with changes" and "Approve for a while": checked here so the reviewer
 * can fix a typo in the modal, then decided by the same review verb as every approval (which checks
 * the rule, the limits and who may approve once more). A refusal is shown in the modal itself.
 */
export function register(app: App, deps: BotDeps): void {
  app.view(AMEND_MODAL, async ({ ack, body, view }) => {
    const fail = (text: string) => ack({ response_action: 'errors', errors: { [PARAMS_BLOCK]: text } });
    const meta = metadata(view.private_metadata);
    if (!meta?.digest) return fail('This form is damaged; open it from the message again.');
    const person = await deps.identity.person(body.user.id);
    if (!person) return fail(deps.identity.refusal(body.user.id));
    const found = await deps.port.find(person, meta.id);
    if (!found.ok) return fail(`Not approved: ${found.message}`);
    // The reviewer edited the params they were shown: if the request changed since, they did not see it.
    if (found.request.digest !== meta.digest)
      return fail('This request changed since you opened the form; close it and look again.');
    const text = view.state.values[PARAMS_BLOCK]?.[PARAMS_INPUT]?.value ?? '';
    const amended = parseAmendedParams(text, found.request.params);
    if ('error' in amended) return fail(amended.error);
    const result = await deps.port.review(person, meta.id, 'approve', undefined, {
      amend: { params: amended.params },
    });
    if (!result.ok) return fail(`Not approved: ${result.message}`);
    await ack();
  });

  app.view(STANDING_MODAL, async ({ ack, body, view }) => {
    const fail = (text: string) => ack({ response_action: 'errors', errors: { [FOR_BLOCK]: text } });
    const meta = metadata(view.private_metadata);
    if (!meta) return fail('This form is damaged; open it from the message again.');
    const person = await deps.identity.person(body.user.id);
    if (!person) return fail(deps.identity.refusal(body.user.id));
    const options = await deps.port.reviewOptions(meta.id);
    if (!options?.standing)
      return fail("Not approved: this request's rule does not allow standing approvals.");
    const request = await deps.port.get(meta.id);
    const terms = parseStandingTerms(
      view.state.values[FOR_BLOCK]?.[FOR_INPUT]?.value ?? undefined,
      view.state.values[USES_BLOCK]?.[USES_INPUT]?.value ?? undefined,
      options.standing,
      {
        typed: view.state.values[RESOURCE_BLOCK]?.[RESOURCE_INPUT]?.value ?? undefined,
        own: request?.resource,
      },
    );
    if ('errors' in terms) return ack({ response_action: 'errors', errors: terms.errors });
    const result = await deps.port.review(person, meta.id, 'approve', undefined, {
      standing: terms.standing,
    });
    if (!result.ok) {
      // The core names the input at fault (standing.resource, standing.uses): the refusal goes beside it.
      const block = STANDING_FIELDS[result.field ?? ''] ?? FOR_BLOCK;
      return ack({ response_action: 'errors', errors: { [block]: `Not approved: ${result.message}` } });
    }
    await ack();
  });
}
