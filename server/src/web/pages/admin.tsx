import type { Child } from 'hono/jsx';
import type { LinkedIdentities } from '../../services/identity/linked-chat-identities';
import type { KeySummary } from '../../services/keys/list-keys';
import type { PolicyCaseResults } from '../../services/policy/policy-case-results';
import { Layout, type Nav, Notice } from '../components/layout';

export type PolicyView = {
  version: string;
  file: string;
  text: string;
  loadedAt: string;
  past: { version: string; loadedAt: string }[];
};

const SCOPE_CHOICES = ['actions:write', 'reviews:write', 'audit:read', 'admin'] as const;

/** Keys (make, shown once, revoke, last use) and the policy in force (text, versions, reload). */
export function AdminPage(props: {
  nav: Nav;
  keys: KeySummary[];
  policy: PolicyView;
  cases?: PolicyCaseResults | undefined;
  linked?: LinkedIdentities | undefined;
  created?: { id: string; principal: string; token: string; replaced?: string | undefined } | undefined;
  flash?: string | undefined;
  problem?: string | undefined;
}) {
  const csrf = <input type="hidden" name="_csrf" value={props.nav.csrf} />;
  return (
    <Layout title="Admin" nav={props.nav} current="/admin">
      <h1>Admin</h1>
      {props.problem && <Notice kind="error">{props.problem}</Notice>}
      {props.flash && <Notice kind="success">{props.flash}</Notice>}
      {props.created && (
        <Notice kind="info">
          <p>
            New key for <strong>{props.created.principal}</strong>. Copy it now: it is shown once.
          </p>
          {props.created.replaced && <p>{props.created.replaced}</p>}
          <p class="secret">
            <code id="new-key">{props.created.token}</code>
          </p>
        </Notice>
      )}
      <section class="card" aria-labelledby="new-keys">
        <h2 id="new-keys">Make a key</h2>
        <div class="actions">
          <KeyForm title="Agent key" csrf={csrf}>
            <input type="hidden" name="kind" value="agent" />
            <label for="agent-name">Agent name</label>
            <input id="agent-name" name="name" type="text" required pattern="[a-z0-9][a-z0-9._\-]{0,62}" />
            <label for="agent-owner">Owner (email)</label>
            <input id="agent-owner" name="owner" type="email" required />
          </KeyForm>
          <KeyForm title="User key" csrf={csrf}>
            <input type="hidden" name="kind" value="user" />
            <label for="user-email">Person (email)</label>
            <input id="user-email" name="email" type="email" required />
            <fieldset>
              <legend>Scopes</legend>
              {SCOPE_CHOICES.map((s) => (
                <label class="small">
                  <input type="checkbox" name="scopes" value={s} checked={s === 'reviews:write'} /> {s}
                </label>
              ))}
            </fieldset>
          </KeyForm>
        </div>
      </section>
      <section aria-labelledby="keys">
        <h2 id="keys">Keys</h2>
        <div class="table-wrap">
          <table>
            <caption class="skip">API keys, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Who</th>
                <th scope="col">Scopes</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {props.keys.map((k) => (
                <tr>
                  <td class="small">
                    <code>{k.id}</code>
                    {k.label && <div class="muted">{k.label}</div>}
                  </td>
                  <td class="small">{k.principal}</td>
                  <td class="small">{k.scopes.join(', ')}</td>
                  <td class="small">{k.lastUsedAt?.slice(0, 16).replace('T', ' ') ?? 'never'}</td>
                  <td class="small">
                    {k.revokedAt ? (
                      <span class="status s-cancelled">Revoked</span>
                    ) : k.expiresAt && k.expiresAt <= new Date().toISOString() ? (
                      <span class="status s-expired">Expired</span>
                    ) : (
                      <form method="post" action={`/admin/keys/${k.id}/revoke`}>
                        {csrf}
                        <span class="status s-ok">Active</span>{' '}
                        {k.expiresAt && <span class="muted">until {k.expiresAt.slice(0, 10)} </span>}
                        <button type="submit" aria-label={`Revoke ${k.id} (${k.principal})`}>
                          Revoke
                        </button>
                      </form>
                    )}
                    {!k.revokedAt && !(k.expiresAt && k.expiresAt <= new Date().toISOString()) && (
                      <form method="post" action={`/admin/keys/${k.id}/rotate`} class="rotate">
                        {csrf}
                        <label for={`grace-${k.id}`}>Old key works for (minutes)</label>
                        <input
                          id={`grace-${k.id}`}
                          name="graceMinutes"
                          type="number"
                          min="0"
                          max="10080"
                          value="0"
                        />
                        <button type="submit" aria-label={`Rotate ${k.id} (${k.principal})`}>
                          Rotate
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card" aria-labelledby="policy">
        <h2 id="policy">Policy in force</h2>
        <p>
          Version <code>{props.policy.version}</code> from <code>{props.policy.file}</code>, loaded{' '}
          {props.policy.loadedAt.replace('T', ' ').slice(0, 19)}.
        </p>
        <form method="post" action="/admin/policy/reload">
          {csrf}
          <button type="submit">Reload the policy file</button>
        </form>
        <details>
          <summary>Policy text</summary>
          <pre tabindex={0}>{props.policy.text}</pre>
        </details>
        {props.policy.past.length > 0 && (
          <>
            <h2>Past versions</h2>
            <ul class="small">
              {props.policy.past.map((p) => (
                <li>
                  <code>{p.version}</code> loaded {p.loadedAt.replace('T', ' ').slice(0, 19)}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {props.cases?.configured && <PolicyCases cases={props.cases} />}
      {props.linked && <LinkedChat linked={props.linked} />}
    </Layout>
  );
}

/** The policy's own test cases against the version in force: each case passes or fails, in words. */
function PolicyCases(props: { cases: Extract<PolicyCaseResults, { configured: true }> }) {
  const { cases } = props;
  const failed = 'results' in cases ? cases.results.filter((r) => !r.pass).length : undefined;
  return (
    <section class="card" aria-labelledby="policy-cases">
      <h2 id="policy-cases">Policy test cases</h2>
      <p>
        <code>{cases.file}</code> run against version <code>{cases.version.slice(0, 19)}</code>:{' '}
        {'problems' in cases ? (
          <span class="status s-bad">Cases file not usable</span>
        ) : failed === 0 ? (
          <span class="status s-ok">All {cases.results.length} cases pass</span>
        ) : (
          <span class="status s-bad">
            {failed} of {cases.results.length} cases fail
          </span>
        )}
      </p>
      {'problems' in cases ? (
        <ul class="small">
          {cases.problems.map((problem) => (
            <li>{problem}</li>
          ))}
        </ul>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="skip">Each case and its result</caption>
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">Result</th>
                <th scope="col">What differed</th>
              </tr>
            </thead>
            <tbody>
              {cases.results.map((r) => (
                <tr>
                  <td class="small">
                    {r.name} <span class="muted">(line {r.line})</span>
                  </td>
                  <td class="small">
                    {r.pass ? <span class="status s-ok">Pass</span> : <span class="status s-bad">Fail</span>}
                  </td>
                  <td class="small">
                    {r.mismatches
                      .map(
                        (k) =>
                          `${k}: expected ${JSON.stringify(r.expected[k])}, got ${JSON.stringify((r.actual as Record<string, unknown>)[k])}`,
                      )
                      .join('; ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Who each Slack and Teams account counts as when it clicks a button. */
function LinkedChat(props: { linked: LinkedIdentities }) {
  const { slack, teams } = props.linked;
  return (
    <section class="card" aria-labelledby="linked">
      <h2 id="linked">Linked chat identities</h2>
      <h3>Slack</h3>
      {slack.length === 0 ? (
        <p class="muted">No Slack user is linked yet: a person is linked when they first act in Slack.</p>
      ) : (
        <ul class="small">
          {slack.map((s) => (
            <li>
              {s.email} — Slack user <code>{s.slackUserId}</code>
            </li>
          ))}
        </ul>
      )}
      <h3>Microsoft Teams</h3>
      {teams.length === 0 ? (
        <p class="muted">No Teams user is known yet.</p>
      ) : (
        <ul class="small">
          {teams.map((u) => (
            <li>
              {u.email} — Teams user <code>{u.teamsUserId}</code> (Entra ID <code>{u.aadObjectId}</code>)
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function KeyForm(props: { title: string; csrf: Child; children?: Child }) {
  const id = props.title.toLowerCase().replace(/\W+/g, '-');
  return (
    <form method="post" action="/admin/keys" aria-labelledby={id}>
      <h3 id={id}>{props.title}</h3>
      {props.csrf}
      {props.children}
      <label for={`${id}-expires`}>Expires (optional)</label>
      <input id={`${id}-expires`} name="expiresAt" type="datetime-local" />
      <p>
        <button class="primary" type="submit">
          Make {props.title.toLowerCase()}
        </button>
      </p>
    </form>
  );
}
