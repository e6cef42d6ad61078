import type { ActionRequest } from '@countersign/shared';
import { Layout, type Nav, Notice } from '../components/layout';
import { Status, When } from '../components/status';

/** A reviewer's question is waiting when the last word on the request is a reviewer's. */
const questionWaiting = (r: ActionRequest) => r.comments?.at(-1)?.role === 'reviewer';

/** What the requester's side may do on a pending request besides cancelling it (issue 16). */
function YourMove(props: { request: ActionRequest }) {
  const r = props.request;
  if (r.status !== 'pending') return null;
  const glass = r.breakGlass !== undefined && !r.breakGlass.by;
  if (!questionWaiting(r) && !glass) return null;
  return (
    <div class="small">
      {questionWaiting(r) && (
        <div>
          <a href={`/requests/${r.id}#answer`}>A reviewer asked a question: answer</a>
        </div>
      )}
      {glass && (
        <div>
          <a href={`/requests/${r.id}#break-glass-form`}>Break-glass allowed if no approver answers</a>
        </div>
      )}
    </div>
  );
}

/** Requests I (or my agents) asked for: status, what I may do next, and cancel while pending. */
export function MinePage(props: {
  nav: Nav;
  items: ActionRequest[];
  now: number;
  flash?: string | undefined;
  problem?: string | undefined;
}) {
  return (
    <Layout title="My requests" nav={props.nav} current="/mine">
      <h1>My requests</h1>
      {props.flash && <Notice kind="success">{props.flash}</Notice>}
      {props.problem && <Notice kind="error">{props.problem}</Notice>}
      {props.items.length === 0 ? (
        <p class="card empty">You have not asked for anything yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="skip">Requests you or your agents made, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Status</th>
                <th scope="col">Asked</th>
                <th scope="col">
                  <span class="skip">Cancel</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.items.map((r) => (
                <tr>
                  <td>
                    <a href={`/requests/${r.id}`}>
                      <code>{r.action}</code>
                    </a>
                    {r.resource && <div class="small muted">{r.resource}</div>}
                  </td>
                  <td>
                    <Status status={r.status} />
                    <YourMove request={r} />
                  </td>
                  <td class="small">
                    <When iso={r.createdAt} now={props.now} />
                  </td>
                  <td>
                    {r.status === 'pending' && (
                      <form method="post" action={`/requests/${r.id}/cancel`}>
                        <input type="hidden" name="_csrf" value={props.nav.csrf} />
                        <button type="submit" aria-label={`Cancel ${r.action} (${r.id})`}>
                          Cancel
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
