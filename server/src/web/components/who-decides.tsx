import type { ActionRequest } from '@countersign/shared';
import type { Child } from 'hono/jsx';
import type { DecideRefusal } from '../../services/actions/may-decide';

/**
 * Who asked, as the requester's side reads it: the person who asked, or the owner of the agent that
 * did (who did not ask and should not be told they did).
 */
function askedBy(r: ActionRequest, email: string): string {
  if (r.requester.id === `user:${email}`) return 'You asked for this';
  const agent = r.requester.id.startsWith('agent:') ? r.requester.id.slice('agent:'.length) : r.requester.id;
  return `Your agent ${agent} asked for this`;
}

/** Why the core would refuse this person's approve or deny, in a line for the page. */
function whyNot(r: ActionRequest, refusal: DecideRefusal): string {
  const groups = r.approvers.join(', ') || 'none';
  switch (refusal) {
    case 'not_an_approver':
      return `You are not in the approver groups of rule ${r.rule.name} (${groups}), so you cannot decide it.`;
    case 'already_reviewed':
      return 'You have already approved this request; each person counts once.';
    case 'identity_unusable':
      return 'The identity provider has deactivated your account; you can no longer review.';
    case 'forbidden':
      return 'Your sign-in may not review requests.';
    case 'expired':
      return 'This request expired before it was decided.';
    case 'not_pending':
      return 'This request has already been decided.';
    case 'self_approval':
      return 'No one may review their own request, nor a request of an agent they own.';
  }
}

/**
 * Who decides a pending request, for everyone the core would not let decide it: the requester's side
 * (it may answer questions, or break glass where the rule allows) and anyone else with the reason
 * the core gives. Offering them no buttons is only courtesy: review-action refuses them all the same.
 */
export function WhoDecides(props: {
  request: ActionRequest;
  email: string;
  requesterSide: boolean;
  refusal: DecideRefusal | undefined;
  children?: Child;
}) {
  const r = props.request;
  const groups = r.approvers.join(', ') || 'the approver groups';
  return (
    <section class="card" aria-labelledby="decide">
      <h2 id="decide">Who decides</h2>
      {props.requesterSide ? (
        <p>
          {askedBy(r, props.email)} — someone in {groups} decides. You may answer their questions
          {r.breakGlass && !r.breakGlass.by ? ' or, as this rule allows, break glass' : ''}.
        </p>
      ) : (
        <>
          <p>Someone in {groups} decides.</p>
          {props.refusal && <p class="small">{whyNot(r, props.refusal)}</p>}
        </>
      )}
      {props.children}
    </section>
  );
}
