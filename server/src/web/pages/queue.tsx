import type { ActionRequest, StandingApproval } from '@countersign/shared';
import { Layout, type Nav, Notice } from '../components/layout';
import { FollowUps, StandingList } from '../components/queue-live';
import { Risk } from '../components/risk';
import { Status, When } from '../components/status';

/** Requests I may decide, oldest first, with age and expiry: the same list the Slack App Home shows. */
export function QueuePage(props: {
  nav: Nav;
  items: ActionRequest[];
  now: number;
  flash?: string | undefined;
  /** Break-glass approvals awaiting their follow-up review, and live standing approvals (issue 16). */
  followUps?: ActionRequest[];
  standing?: StandingApproval[];
}) {
  const items = [...props.items].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return (
    <Layout title="My queue" nav={props.nav} current="/">
      <h1>My queue</h1>
      {props.flash && <Notice kind="success">{props.flash}</Notice>}
      {items.length === 0 ? (
        <p class="card empty">Nothing is waiting for you. Requests you may approve appear here.</p>
      ) : (
        <RequestTable
          items={items}
          now={props.now}
          caption="Requests waiting for your decision, oldest first"
        />
      )}
      <FollowUps items={props.followUps ?? []} now={props.now} />
      <StandingList
        items={props.standing ?? []}
        now={props.now}
        csrf={props.nav.csrf}
        viewer={`user:${props.nav.email}`}
      />
    </Layout>
  );
}

export function RequestTable(props: {
  items: ActionRequest[];
  now: number;
  caption: string;
  cancel?: string;
}) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="skip">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Requested by</th>
            <th scope="col">Status</th>
            <th scope="col">Asked</th>
            <th scope="col">Expires</th>
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
                {r.environment && <div class="small muted">env: {r.environment}</div>}
              </td>
              <td class="small">
                {r.requester.id}
                {r.requester.owner && <div class="muted">owner: {r.requester.owner}</div>}
              </td>
              <td>
                <Status status={r.status} /> <Risk risk={r.risk} />
                <div class="small muted">
                  {r.approvals.received} of {r.approvals.required} approvals
                </div>
              </td>
              <td class="small">
                <When iso={r.createdAt} now={props.now} />
              </td>
              <td class="small">
                {r.expiresAt && r.status === 'pending' ? <When iso={r.expiresAt} now={props.now} /> : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
