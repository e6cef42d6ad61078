import type { ActionRequest } from '@countersign/shared';
import { conditionInWords } from '@countersign/shared/policy';

// The status pill's colours, so a risk reads at a glance beside the status; the word carries it.
const TONE: Record<NonNullable<ActionRequest['risk']>, string> = {
  low: 's-ok',
  medium: 's-pending',
  high: 's-bad',
  critical: 's-bad',
};

/** The deciding rule's risk as a pill ("Risk: critical"); nothing when the rule names none. */
export function Risk(props: { risk: ActionRequest['risk'] }) {
  if (!props.risk) return null;
  return <span class={`status ${TONE[props.risk]}`}>Risk: {props.risk}</span>;
}

/** Why the request was held: the rule's condition that was true, in words and as written. */
export function HeldBecause(props: { request: ActionRequest }) {
  const condition = props.request.matched?.condition;
  if (condition === undefined) return null;
  const error = props.request.matched?.error;
  // Failed closed: the condition was not true, it could not be read; saying "because" would mislead.
  if (error !== undefined)
    return (
      <p class="small">
        Held to be safe: the condition could not be evaluated ({error}) (<code>{condition}</code>)
      </p>
    );
  const words = conditionInWords(condition);
  return (
    <p class="small">
      Held because {words}
      {words !== condition && (
        <>
          {' '}
          (<code>{condition}</code>)
        </>
      )}
    </p>
  );
}
