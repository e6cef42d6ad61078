import type { ActionRequest, StandingApproval } from '@countersign/shared';
import { RevokeStandingForm } from './request-forms';
import { When } from './status';

// Issue 16 on the queue: break-glass approvals whose follow-up review is still open, and the standing
// approvals live now. Shown while there are any; pure functions of what they show.

export function FollowUps(props: { items: ActionRequest[]; now: number }) {
  if (props.items.length === 0) return null;
  return (
    <section class="card" aria-labelledby="follow-ups">
      <h2 id="follow-ups">
        <span class="status s-bad">Break-glass</span> follow-ups ({props.items.length})
      </h2>
      <p class="small muted">
        Approved by their own side; each stays here until an approver signs it off or flags it.
      </p>
      <ul>
        {props.items.map((r) => (
          <li>
            <a href={`/requests/${r.id}`}>
              <code>{r.action}</code>
            </a>
            {r.resource && <span class="small muted"> on {r.resource}</span>} — broken by{' '}
            {r.breakGlass?.by ?? r.requester.id}
            {r.breakGlass?.reason && <>: “{r.breakGlass.reason}”</>}
            {r.breakGlass?.followUp && (
              <span class="small">
                {' '}
                · review due <When iso={r.breakGlass.followUp.dueAt} now={props.now} />
              </span>
            )}{' '}
            <a
              class="small"
              href={`/requests/${r.id}#follow-up`}
              aria-label={`Sign off or flag ${r.action} (${r.id})`}
            >
              Sign off or flag
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * `viewer` is the signed-in person's id: the list holds a requester's own standing approvals beside
 * their approver groups' ones, and only the latter get a Revoke button (the core checks again).
 */
export function StandingList(props: {
  items: StandingApproval[];
  now: number;
  csrf?: string;
  viewer?: string;
}) {
  if (props.items.length === 0) return null;
  return (
    <section class="card" aria-labelledby="standing">
      <h2 id="standing">Standing approvals ({props.items.length})</h2>
      <p class="small muted">
        Requests these cover are approved at once. Any approver may revoke one; requests already approved by
        it keep their grants.
      </p>
      <ul>
        {props.items.map((s) => (
          <li>
            <code>{s.action}</code>
            {s.resource && <span class="small muted"> on {s.resource}</span>}
            {s.environment && <span class="small muted"> in {s.environment}</span>} for {s.requester} —
            approved by {s.by}, until <When iso={s.until} now={props.now} />, {s.usesLeft}{' '}
            {s.usesLeft === 1 ? 'use' : 'uses'} left{' '}
            <span class="small muted">
              (<a href={`/requests/${s.fromRequest}`}>from {s.fromRequest}</a>, <code>{s.id}</code>)
            </span>
            {props.csrf && s.requester !== props.viewer && (
              <>
                {' '}
                <RevokeStandingForm
                  id={s.id}
                  what={`${s.action}${s.resource ? ` on ${s.resource}` : ''} for ${s.requester}`}
                  csrf={props.csrf}
                  back="/"
                />
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
