import { Layout, Notice } from '../components/layout';

const WHY: Record<string, string> = {
  idle: 'You were signed out after a while without activity. Sign in again to continue.',
  expired: 'Your session reached its time limit. Sign in again to continue.',
  ended: 'You were signed out. Sign in again to continue.',
  tampered: 'Your sign-in could not be read. Sign in again to continue.',
  unknown: 'Your session is no longer known. Sign in again to continue.',
};

/** Where a person without a session lands: through the IdP, or how to get a one-time link. */
export function SignInPage(props: {
  reason?: string | undefined;
  problem?: string | undefined;
  oidc: boolean;
  next: string;
}) {
  return (
    <Layout title="Sign in">
      <h1>Sign in to Countersign</h1>
      {props.reason && WHY[props.reason] && <Notice kind="info">{WHY[props.reason]}</Notice>}
      {props.problem && <Notice kind="error">{props.problem}</Notice>}
      <div class="card">
        {props.oidc ? (
          <p>
            <a class="button primary" href={`/auth/login?next=${encodeURIComponent(props.next)}&go=1`}>
              Sign in with your company account
            </a>
          </p>
        ) : (
          <>
            <p>Sign-in is by one-time link. Ask an admin, or on the server run:</p>
            <pre tabindex={0}>countersign login --user you@example.com</pre>
            <p class="small muted">The link works once, for 10 minutes.</p>
          </>
        )}
      </div>
    </Layout>
  );
}

/** A one-time link is spent by a button, not by opening it: link previews must not sign anyone in. */
export function ConfirmLinkPage(props: { token: string }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in to Countersign</h1>
      <form class="card" method="post" action="/auth/link">
        <input type="hidden" name="token" value={props.token} />
        <p>This one-time link signs you in to the console on this browser.</p>
        <button class="primary" type="submit">
          Continue
        </button>
      </form>
    </Layout>
  );
}
