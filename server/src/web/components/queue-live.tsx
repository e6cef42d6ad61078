import type { ActionRequest, StandingApproval } from '@countersign/shared';
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
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function StandingList(props: { items: StandingApproval[]; now: number }) {
  if (props.items.length === 0) return null;
  return (
    <section class="card" aria-labelledby="standing">
      <h2 id="standing">Standing approvals ({props.items.length})</h2>
      <p class="small muted">
        Requests these cover are approved at once. Any approver may revoke one:{' '}
        <code>{'POST /v1/standing-approvals/{id}/revoke'}</code>.
      </p>
      <ul>
        {props.items.map((s) => (
          <li>
            <code>{s.action}</code>
            {s.resource && <span class="small muted"> on {s.resource}</span>} for {s.requester} — approved by{' '}
            {s.by}, until <When iso={s.until} now={props.now} />, {s.usesLeft}{' '}
            {s.usesLeft === 1 ? 'use' : 'uses'} left{' '}
            <span class="small muted">
              (<a href={`/requests/${s.fromRequest}`}>from {s.fromRequest}</a>, <code>{s.id}</code>)
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
