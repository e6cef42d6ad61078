import type { ActionRequest } from '@countersign/shared';
import { formatDuration } from '@countersign/shared/policy';
import type { ChatTransports } from '../session';

// Issue 16's forms on the request page: each a plain form post carrying the session's CSRF token,
// shown only to the side that may use it. Only an offer: the core checks everything again on post.

export type FormName = 'standing' | 'ask' | 'answer' | 'break-glass' | 'follow-up';
/** A refused post shown again: the core's words by field, and what the person had typed. */
export type FormState = { form: FormName; fields: Record<string, string>; values: Record<string, string> };

type Common = { request: ActionRequest; csrf: string; state?: FormState | undefined };

const typed = (p: Common, form: FormName, name: string, fallback = '') =>
  p.state?.form === form ? (p.state.values[name] ?? fallback) : fallback;

/** The refusal for one field, tied to its input by id so a screen reader reads it with the field. */
function problemOf(p: Common, form: FormName, name: string) {
  const message = p.state?.form === form ? p.state.fields[name] : undefined;
  const id = `${form}-${name}-error`;
  return {
    attrs: message ? { 'aria-invalid': 'true' as const, 'aria-describedby': id } : {},
    note: message ? (
      <p id={id} class="field-error">
        {message}
      </p>
    ) : null,
  };
}

function Csrf(props: { csrf: string }) {
  return <input type="hidden" name="_csrf" value={props.csrf} />;
}

/** "This and the same again": for how long, how many more uses, and on which resources. */
export function StandingForm(props: Common & { offer: { maxMs: number; uses: number } }) {
  const r = props.request;
  const max = formatDuration(props.offer.maxMs);
  const whole = problemOf(props, 'standing', 'standing');
  const forField = problemOf(props, 'standing', 'for');
  const uses = problemOf(props, 'standing', 'uses');
  const resource = problemOf(props, 'standing', 'resource');
  return (
    <details open={props.state?.form === 'standing'}>
      <summary>Approve this and the same again…</summary>
      <form method="post" action={`/requests/${r.id}/standing`}>
        <Csrf csrf={props.csrf} />
        <p class="small">
          Later requests for <code>{r.action}</code> by {r.requester.id} that match are approved at once, each
          with its own grant and audit event, until the time or the uses run out or an approver revokes it.
        </p>
        {whole.note}
        <label for="standing-for">For how long (at most {max})</label>
        <input
          id="standing-for"
          type="text"
          name="for"
          required
          value={typed(props, 'standing', 'for', max)}
          {...forField.attrs}
        />
        {forField.note}
        <label for="standing-uses">Uses after this one (at most {props.offer.uses})</label>
        <input
          id="standing-uses"
          type="number"
          name="uses"
          required
          min={1}
          max={props.offer.uses}
          value={typed(props, 'standing', 'uses', String(props.offer.uses))}
          {...uses.attrs}
        />
        {uses.note}
        <label for="standing-resource">Resource pattern (optional, narrower)</label>
        <input
          id="standing-resource"
          type="text"
          name="resource"
          maxlength={1000}
          value={typed(props, 'standing', 'resource')}
          {...resource.attrs}
        />
        {resource.note}
        <p class="small muted">
          Empty: exactly <code>{r.resource ?? '(no resource)'}</code>. A pattern such as{' '}
          <code>reports/eu/*</code> must match this request's resource; it is shown in full on the request and
          in the queue.
        </p>
        <p>
          <button class="approve" type="submit">
            Approve, and the same again
          </button>
        </p>
      </form>
    </details>
  );
}

/** A reviewer's question instead of a decision: the request stays pending. */
export function AskForm(props: Common) {
  const comment = problemOf(props, 'ask', 'comment');
  return (
    <form method="post" action={`/requests/${props.request.id}/ask`}>
      <Csrf csrf={props.csrf} />
      <label for="ask-comment">Ask the requester (the request stays pending)</label>
      <textarea id="ask-comment" name="comment" required maxlength={4000} {...comment.attrs}>
        {typed(props, 'ask', 'comment')}
      </textarea>
      {comment.note}
      <p>
        <button type="submit">Ask</button>
      </p>
    </form>
  );
}

/** The requester's side answers a reviewer's question. */
export function AnswerForm(props: Common) {
  const comment = problemOf(props, 'answer', 'comment');
  return (
    <section class="card" aria-labelledby="answer">
      <h2 id="answer">Answer the reviewers</h2>
      <form method="post" action={`/requests/${props.request.id}/answer`}>
        <Csrf csrf={props.csrf} />
        <label for="answer-comment">Your answer</label>
        <textarea id="answer-comment" name="comment" required maxlength={4000} {...comment.attrs}>
          {typed(props, 'answer', 'comment')}
        </textarea>
        {comment.note}
        <p>
          <button class="primary" type="submit">
            Send answer
          </button>
        </p>
      </form>
    </section>
  );
}

/**
 * Who hears of a break-glass on this install: only the chat bots this server runs broadcast it, so
 * the warning never promises a message no one will send.
 */
function BreakGlassReach(props: { chat: ChatTransports | undefined; notify: string[]; rule: string }) {
  const slack = props.chat?.slack === true;
  const teams = props.chat?.teams === true;
  if (!slack && !teams)
    return (
      <li>
        no chat is configured on this server: only the audit log and the approvers' console queue will show
        it.
      </li>
    );
  return (
    <>
      {slack && (
        <li>
          Slack posts it to {props.notify.length > 0 ? props.notify.join(', ') : 'no channel'}, sends every
          approver of rule <code>{props.rule}</code> a direct message, and threads it under the request.
        </li>
      )}
      {teams && (
        <li>
          Teams threads it under the request's card and sends every approver it knows a card to sign it off or
          flag it.
        </li>
      )}
    </>
  );
}

/** Break-glass: loud about what happens, because it approves the requester's own request. */
export function BreakGlassForm(props: Common & { chat?: ChatTransports | undefined }) {
  const r = props.request;
  const glass = r.breakGlass;
  if (!glass) return null;
  const reason = problemOf(props, 'break-glass', 'reason');
  return (
    <section class="card" aria-labelledby="break-glass-form">
      <h2 id="break-glass-form">
        <span class="status s-bad">Break-glass</span> approve it yourself
      </h2>
      <div class="alert warn">
        <p>
          <strong>Only when no approver can be reached.</strong> This approves your own request now and issues
          its grant. At once:
        </p>
        <ul>
          <BreakGlassReach chat={props.chat} notify={glass.notify} rule={r.rule.name} />
          <li>
            it is written to the audit log as <code>action.break_glass</code>, with your reason and name.
          </li>
          <li>
            a follow-up review stays in every approver's queue until one of them signs it off or flags it (due
            within {formatDuration(glass.reviewWithinMs)}).
          </li>
        </ul>
        {r.stepUp && (
          <p>
            This rule asks for a step-up: the glass breaks only after{' '}
            {r.stepUp === 'mfa' ? 'a fresh sign-in with MFA' : 'your passkey'} confirms it is you, made now
            for this request.
          </p>
        )}
      </div>
      <form method="post" action={`/requests/${r.id}/break-glass`}>
        <Csrf csrf={props.csrf} />
        <label for="break-glass-reason">Why no approver could be reached (at least 20 characters)</label>
        <textarea
          id="break-glass-reason"
          name="reason"
          required
          minlength={20}
          maxlength={4000}
          {...reason.attrs}
        >
          {typed(props, 'break-glass', 'reason')}
        </textarea>
        {reason.note}
        <p>
          <button class="deny" type="submit">
            {r.stepUp
              ? `Continue with ${r.stepUp === 'mfa' ? 'MFA' : 'a passkey'} to break the glass`
              : 'Break the glass and approve'}
          </button>
        </p>
      </form>
    </section>
  );
}

/** The follow-up review of a break-glass: sign it off, or flag it saying what was wrong. */
export function FollowUpForm(props: Common) {
  const id = props.request.id;
  const comment = problemOf(props, 'follow-up', 'comment');
  return (
    <section class="card" aria-labelledby="follow-up">
      <h2 id="follow-up">Follow-up review</h2>
      <p class="small">Approved by its own side: sign it off, or flag it with what was wrong.</p>
      <div class="actions">
        <form method="post" action={`/requests/${id}/follow-up`}>
          <Csrf csrf={props.csrf} />
          <input type="hidden" name="decision" value="sign_off" />
          <label for="sign-off-comment">Comment (optional)</label>
          <textarea id="sign-off-comment" name="comment" maxlength={4000} />
          <p>
            <button class="approve" type="submit">
              Sign off
            </button>
          </p>
        </form>
        <form method="post" action={`/requests/${id}/follow-up`}>
          <Csrf csrf={props.csrf} />
          <input type="hidden" name="decision" value="flag" />
          <label for="flag-comment">What was wrong (required)</label>
          <textarea id="flag-comment" name="comment" required maxlength={4000} {...comment.attrs}>
            {typed(props, 'follow-up', 'comment')}
          </textarea>
          {comment.note}
          <p>
            <button class="deny" type="submit">
              Flag
            </button>
          </p>
        </form>
      </div>
    </section>
  );
}

/** One clear button: revoking stops every later request it would have approved, nothing else. */
export function RevokeStandingForm(props: { id: string; what: string; csrf: string; back: string }) {
  return (
    <form class="inline" method="post" action={`/standing/${props.id}/revoke`}>
      <input type="hidden" name="_csrf" value={props.csrf} />
      <input type="hidden" name="next" value={props.back} />
      <button type="submit" aria-label={`Revoke standing approval ${props.id} (${props.what})`}>
        Revoke
      </button>
    </form>
  );
}
