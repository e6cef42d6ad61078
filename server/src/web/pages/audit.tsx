import type { AuditEvent, AuditVerification } from '@countersign/shared';
import { Layout, type Nav } from '../components/layout';
import { Status } from '../components/status';

export type AuditQuery = {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  subject?: string;
};

const field = (name: keyof AuditQuery, label: string, q: AuditQuery, type = 'text') => (
  <div>
    <label for={`f-${name}`}>{label}</label>
    <input id={`f-${name}`} name={name} type={type} value={q[name] ?? ''} />
  </div>
);

/** The audit log, filtered, with the chain's verification and exports of exactly this view. */
export function AuditPage(props: {
  nav: Nav;
  query: AuditQuery;
  events: AuditEvent[];
  more: boolean;
  verification: AuditVerification;
}) {
  const q = props.query;
  const search = new URLSearchParams(Object.entries(q).filter(([, v]) => v)).toString();
  const v = props.verification;
  // A checkpoint is an event of its own that signs the head just before it: `lastCheckpoint.seq` is the
  // head it signs, the event recording it is the next one (the genesis checkpoint is event #1, seq 0).
  return (
    <Layout title="Audit" nav={props.nav} current="/audit">
      <h1>Audit</h1>
      <p class="card" role="status">
        Chain: {v.ok ? <Status status="ok" /> : <span class="status s-bad">Broken</span>}{' '}
        {v.ok
          ? `${v.events.toLocaleString('en')} events verified${v.lastCheckpoint ? `, newest signed checkpoint: event #${v.lastCheckpoint.seq + 1}, signing the head at seq ${v.lastCheckpoint.seq}` : ''}.`
          : `${v.problem ?? 'verification failed'}${v.firstBadSeq ? ` (event ${v.firstBadSeq})` : ''}.`}
      </p>
      <form class="card filters" method="get" action="/audit" aria-label="Filter the audit log">
        {field('since', 'Since (ISO time)', q)}
        {field('until', 'Until (ISO time)', q)}
        {field('actor', 'Actor', q)}
        {field('action', 'Action', q)}
        {field('subject', 'Subject', q)}
        <div>
          <button class="primary" type="submit">
            Filter
          </button>
        </div>
      </form>
      <p>
        Export this view: <a href={`/audit/export?format=ndjson${search ? `&${search}` : ''}`}>NDJSON</a> ·{' '}
        <a href={`/audit/export?format=csv${search ? `&${search}` : ''}`}>CSV</a>
      </p>
      <div class="table-wrap">
        <table>
          <caption class="skip">Audit events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Type</th>
              <th scope="col">Actor</th>
              <th scope="col">Subject</th>
            </tr>
          </thead>
          <tbody>
            {props.events.map((e) => (
              <tr>
                <td>{e.seq}</td>
                <td class="small">
                  <time datetime={e.at}>{e.at.replace('T', ' ').slice(0, 19)}</time>
                </td>
                <td>
                  <code>{e.type}</code>
                </td>
                <td class="small">{e.actor}</td>
                <td class="small">
                  {e.subject?.startsWith('act_') ? (
                    <a href={`/requests/${e.subject}`}>{e.subject}</a>
                  ) : (
                    (e.subject ?? '—')
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.events.length === 0 && <p class="empty">No events match.</p>}
      {props.more && (
        <p class="small muted">Showing the newest {props.events.length}; export for all of them.</p>
      )}
    </Layout>
  );
}
