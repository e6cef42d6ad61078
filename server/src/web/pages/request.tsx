import type { ActionRequest, AuditEvent } from '@countersign/shared';
import { requestEventFacts } from '../../services/actions/audited-request';
import type { DecideRefusal } from '../../services/actions/may-decide';
import { Layout, type Nav, Notice } from '../components/layout';
import { Amended, BreakGlassNote, Conversation, StandingNote } from '../components/request-extras';
import {
  AnswerForm,
  AskForm,
  BreakGlassForm,
  FollowUpForm,
  type FormState,
  RevokeStandingForm,
  StandingForm,
} from '../components/request-forms';
import { HeldBecause, Risk } from '../components/risk';
import { Status, When } from '../components/status';
import { WhoDecides } from '../components/who-decides';
import type { ChatTransports } from '../session';

const FOLD_AT = 400;

/** Masked params as pretty JSON; a large one folded so the page stays readable. */
function Params(props: { params: Record<string, unknown> | undefined }) {
  if (!props.params || Object.keys(props.params).length === 0) return <p class="muted">No parameters.</p>;
  const text = JSON.stringify(props.params, null, 2);
  if (text.length <= FOLD_AT) return <pre tabindex={0}>{text}</pre>;
  return (
    <details>
      <summary>Parameters ({text.length.toLocaleString('en')} characters; secrets masked)</summary>
      <pre tabindex={0}>{text}</pre>
    </details>
  );
}

/**
 * What the policy did, from any shape of the event (services/actions/audited-request): a blocked
 * request may be a submission or a pending one a policy reload blocked, so its line names no asker.
 */
function decided(event: AuditEvent, verb: string): string {
  const { rule, reason } = requestEventFacts(event.data);
  return `${verb}${rule === undefined ? '' : ` by rule ${rule}`}${reason === undefined ? '' : ` (${reason})`}`;
}

/** A reload held a pending request to its new rule (action.rebound): which rule it follows now. */
function rebound(data: AuditEvent['data']): string {
  const after = data.after;
  const rule = typeof after === 'object' && after !== null && 'rule' in after ? String(after.rule) : '?';
  return data.status === 'blocked'
    ? `a policy reload blocked it (rule ${rule})`
    : `a policy reload re-bound it to rule ${rule}`;
}

function describe(event: AuditEvent): string {
  const d = event.data;
  const words: Record<string, string> = {
    'action.submitted': 'asked for it',
    'action.allowed': `asked for it: ${decided(event, 'allowed at once')}`,
    'action.blocked': decided(event, 'blocked'),
    'action.approved': 'approved: the request is granted',
    'action.denied': 'denied it',
    'action.expired': 'it expired',
    'action.cancelled': 'cancelled it',
    'review.recorded': `reviewed: ${String(d.decision ?? '')}`,
    'review.refused': `review refused (${String(d.code ?? '')})`,
    'review.discounted': 'an approval stopped counting',
    'action.rebound': rebound(d),
    'grant.issued': 'grant issued',
    'grant.redeemed': 'grant used',
    'action.break_glass': 'broke the glass: approved by its own side',
    'break_glass.refused': `break-glass refused (${String(d.code ?? '')})`,
    'action.follow_up': `follow-up review: ${String(d.decision ?? '').replace('_', ' ')}`,
    'action.question': 'asked a question',
    'action.answered': 'answered the question',
    'standing.created': 'approved this and the same again (standing approval)',
    'standing.used': 'approved at once by a standing approval',
    'standing.revoked': 'revoked the standing approval',
  };
  return words[event.type] ?? event.type;
}

export type Viewer = { requesterSide: boolean; reviewer: boolean; refusal: DecideRefusal | undefined };
// Fail closed: a page rendered without knowing who looks offers no buttons.
const UNKNOWN: Viewer = { requesterSide: false, reviewer: false, refusal: 'forbidden' };

export type RequestView = {
  nav: Nav;
  request: ActionRequest;
  /** Who may approve under the policy in force, the requester's side left out (services/actions/eligible-approvers). */
  eligible: string[];
  timeline: AuditEvent[];
  now: number;
  problem?: string | undefined;
  flash?: string | undefined;
  /** The params a reviewer may amend before approving (masked), when the rule allows it now (issue 16). */
  amendable?: string | undefined;
  /**
   * Who is looking: the requester's side (requester or agent owner); a reviewer, who may ask and
   * follow up; and why the core would refuse their approve or deny (services/actions/may-decide),
   * undefined when it would take it. Without it the page offers no decision.
   */
  viewer?: Viewer | undefined;
  /** The rule's standing-approval limits, when a reviewer may approve "this and the same again" now. */
  standingOffer?: { maxMs: number; uses: number } | undefined;
  /** A refused issue-16 form, shown again with the core's words by field. */
  formState?: FormState | undefined;
  /** The chat bots this server runs: what the break-glass warning may promise. */
  chat?: ChatTransports | undefined;
};

/** One request: everything a reviewer needs to decide, and the decision forms. */
export function RequestPage(props: RequestView) {
  const r = props.request;
  const pending = r.status === 'pending';
  const viewer = props.viewer ?? UNKNOWN;
  // Offered exactly to whom review-action would take it from; the requester's side is refused first.
  const decides = pending && !viewer.requesterSide && viewer.refusal === undefined;
  const forms = { request: r, csrf: props.nav.csrf, state: props.formState };
  const asked = (r.comments ?? []).some((c) => c.role === 'reviewer');
  const standing = r.standing;
  const revocable =
    standing !== undefined &&
    viewer.reviewer &&
    !standing.revoked &&
    standing.usesLeft > 0 &&
    Date.parse(standing.until) > props.now;
  return (
    <Layout title={r.action} nav={props.nav}>
      <p class="small">
        <a href="/">← My queue</a>
      </p>
      <h1>
        <code>{r.action}</code> <Status status={r.status} />
      </h1>
      {props.problem && <Notice kind="error">{props.problem}</Notice>}
      {props.flash && <Notice kind="success">{props.flash}</Notice>}
      <div class="grid">
        <div>
          <section class="card" aria-labelledby="what">
            <h2 id="what">What</h2>
            <dl class="facts">
              <dt>Resource</dt>
              <dd>{r.resource ?? '—'}</dd>
              <dt>Environment</dt>
              <dd>{r.environment ?? '—'}</dd>
              <dt>Requested by</dt>
              <dd>{r.requester.id}</dd>
              {r.requester.owner && (
                <>
                  <dt>Owner</dt>
                  <dd>{r.requester.owner}</dd>
                </>
              )}
              <dt>Justification</dt>
              <dd>{r.justification ?? '—'}</dd>
              <dt>Asked</dt>
              <dd>
                <When iso={r.createdAt} now={props.now} />
              </dd>
              {r.expiresAt && pending && (
                <>
                  <dt>Expires</dt>
                  <dd>
                    <When iso={r.expiresAt} now={props.now} />
                  </dd>
                </>
              )}
              {r.reason && (
                <>
                  <dt>Reason</dt>
                  <dd>{r.reason}</dd>
                </>
              )}
            </dl>
            <h2>Parameters</h2>
            <Params params={r.params} />
            <p class="small muted">
              Digest <code>{r.digest}</code>
            </p>
          </section>
          {pending && !decides && (
            <WhoDecides
              request={r}
              email={props.nav.email}
              requesterSide={viewer.requesterSide}
              refusal={viewer.refusal}
            >
              {/* Asking is not deciding: one who already approved may still ask (ask-question allows it). */}
              {!viewer.requesterSide && viewer.reviewer && <AskForm {...forms} />}
            </WhoDecides>
          )}
          {decides && (
            <section class="card" aria-labelledby="decide">
              <h2 id="decide">Your decision</h2>
              <div class="actions">
                <form method="post" action={`/requests/${r.id}/review`}>
                  <input type="hidden" name="_csrf" value={props.nav.csrf} />
                  <input type="hidden" name="decision" value="approve" />
                  <input type="hidden" name="digest" value={r.digest} />
                  <label for="approve-comment">Comment (optional)</label>
                  <textarea id="approve-comment" name="comment" maxlength={4000} />
                  {r.stepUp && (
                    <p class="small">
                      {r.stepUp === 'mfa'
                        ? 'Approving asks you to sign in again at your identity provider, with MFA.'
                        : 'Approving asks for one of your passkeys.'}
                    </p>
                  )}
                  <p>
                    <button class="approve" type="submit">
                      {r.stepUp ? `Approve with ${r.stepUp === 'mfa' ? 'MFA' : 'a passkey'}` : 'Approve'}
                    </button>
                  </p>
                </form>
                <form method="post" action={`/requests/${r.id}/review`}>
                  <input type="hidden" name="_csrf" value={props.nav.csrf} />
                  <input type="hidden" name="decision" value="deny" />
                  <input type="hidden" name="digest" value={r.digest} />
                  <label for="deny-comment">Reason for denying (required)</label>
                  <textarea id="deny-comment" name="comment" required maxlength={4000} />
                  <p>
                    <button class="deny" type="submit">
                      Deny
                    </button>
                  </p>
                </form>
              </div>
              {props.standingOffer && <StandingForm {...forms} offer={props.standingOffer} />}
              {props.amendable !== undefined && (
                <details>
                  <summary>Approve with changes…</summary>
                  <form method="post" action={`/requests/${r.id}/amend`}>
                    <input type="hidden" name="_csrf" value={props.nav.csrf} />
                    <input type="hidden" name="digest" value={r.digest} />
                    <label for="amend-params">Params (JSON object)</label>
                    <textarea id="amend-params" name="params" required rows={10} maxlength={100000}>
                      {props.amendable}
                    </textarea>
                    <p class="small muted">
                      Values shown as •••••• are kept as submitted. The grant binds to exactly these params.
                    </p>
                    <label for="amend-comment">Comment (optional)</label>
                    <textarea id="amend-comment" name="comment" maxlength={4000} />
                    <p>
                      <button class="approve" type="submit">
                        Approve with these params
                      </button>
                    </p>
                  </form>
                </details>
              )}
              {viewer.reviewer && <AskForm {...forms} />}
            </section>
          )}
          {pending && viewer.requesterSide && asked && <AnswerForm {...forms} />}
          {pending && viewer.requesterSide && r.breakGlass && !r.breakGlass.by && (
            <BreakGlassForm {...forms} chat={props.chat} />
          )}
          {r.breakGlass?.followUp?.status === 'open' && !viewer.requesterSide && viewer.reviewer && (
            <FollowUpForm {...forms} />
          )}
        </div>
        <div>
          <section class="card" aria-labelledby="who">
            <h2 id="who">Who must approve</h2>
            <p>
              <strong>
                {r.approvals.received} of {r.approvals.required}
              </strong>{' '}
              approval{r.approvals.required === 1 ? '' : 's'} from {r.approvers.join(', ') || '—'}
            </p>
            {props.eligible.length > 0 && <p class="small muted">Eligible: {props.eligible.join(', ')}</p>}
            <p class="small">
              Rule <code>{r.rule.name}</code>, policy <code>{r.policyVersion.slice(0, 19)}</code>{' '}
              <Risk risk={r.risk} />
            </p>
            <HeldBecause request={r} />
            <StandingNote request={r} />
            {revocable && (
              <p>
                <RevokeStandingForm
                  id={standing.id}
                  what={`${standing.action}${standing.resource ? ` on ${standing.resource}` : ''}`}
                  csrf={props.nav.csrf}
                  back={`/requests/${r.id}`}
                />
              </p>
            )}
            <BreakGlassNote request={r} />
            <Amended request={r} />
            <Conversation request={r} />
            <h2>Reviews</h2>
            {r.reviews.length === 0 ? (
              <p class="muted">None yet.</p>
            ) : (
              <ul>
                {r.reviews.map((v) => (
                  <li>
                    <Status status={v.decision === 'approve' ? 'approved' : 'denied'} /> {v.reviewer}{' '}
                    <span class="small muted">
                      via {v.via}, <When iso={v.at} now={props.now} />
                    </span>
                    {v.comment && <div class="small">“{v.comment}”</div>}
                    {v.discounted && <div class="small muted">No longer counts: {v.discounted.reason}</div>}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section class="card" aria-labelledby="timeline">
            <h2 id="timeline">Timeline</h2>
            <ol class="timeline">
              {props.timeline.map((e) => (
                <li>
                  <span class="small muted">
                    <time datetime={e.at}>{e.at.replace('T', ' ').slice(0, 19)}</time>
                  </span>
                  <div>
                    {e.actor} — {describe(e)}
                  </div>
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </Layout>
  );
}
