import { Layout, type Nav, Notice } from '../components/layout';

export type SecurityView = {
  nav: Nav;
  passkeys: { id: string; name: string; createdAt: number; lastUsedAt: number | null }[];
  /** False when passkeys cannot be used here (no COUNTERSIGN_PUBLIC_URL). */
  available: boolean;
  flash?: string | undefined;
  problem?: string | undefined;
};

const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** The person's passkeys, for approvals under `stepUp: passkey` rules: add, list, remove. */
export function SecurityPage(props: SecurityView) {
  return (
    <Layout title="Security" nav={props.nav} current="/security">
      <h1>Security</h1>
      {props.flash && <Notice kind="success">{props.flash}</Notice>}
      {props.problem && <Notice kind="error">{props.problem}</Notice>}
      <section class="card" aria-labelledby="passkeys">
        <h2 id="passkeys">Passkeys</h2>
        <p>
          Rules that say <code>stepUp: passkey</code> count your approval only after one of these confirms it
          is you.
        </p>
        {props.passkeys.length === 0 ? (
          <p class="muted">You have no passkeys yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Added (UTC)</th>
                <th scope="col">Last used (UTC)</th>
                <th scope="col">
                  <span class="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.passkeys.map((p) => (
                <tr>
                  <td>{p.name}</td>
                  <td>{day(p.createdAt)}</td>
                  <td>{p.lastUsedAt === null ? 'never' : day(p.lastUsedAt)}</td>
                  <td>
                    <form method="post" action={`/security/passkeys/${encodeURIComponent(p.id)}/remove`}>
                      <input type="hidden" name="_csrf" value={props.nav.csrf} />
                      <button type="submit" aria-label={`Remove passkey ${p.name}`}>
                        Remove
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {props.available ? (
          <form
            method="post"
            action="/security/passkeys"
            data-passkey="register"
            data-options="/security/passkeys/options"
          >
            <input type="hidden" name="_csrf" value={props.nav.csrf} />
            <label for="passkey-name">Name for the new passkey</label>
            <input id="passkey-name" name="name" maxlength={80} value="My passkey" />
            <p class="alert error" role="alert" data-problem hidden />
            <p>
              <button type="submit">Add a passkey</button>
            </p>
          </form>
        ) : (
          <Notice kind="info">Passkeys need COUNTERSIGN_PUBLIC_URL to be set on this server.</Notice>
        )}
      </section>
      <script src="/assets/passkey.js" defer />
    </Layout>
  );
}
