import type { ActionRequest } from '@countersign/shared';
import { Layout, type Nav, Notice } from '../components/layout';
import type { ChatTransports } from '../session';

export type StepUpView = {
  nav: Nav;
  request: ActionRequest;
  method: 'mfa' | 'passkey';
  /** What the step-up is for: approving, or (the requester's side) breaking the glass. */
  purpose: 'approve' | 'break_glass';
  /** A break-glass's reason, typed on the request page and carried here. */
  reason?: string | undefined;
  /** False when the install cannot do this step-up (no IdP for MFA, no public URL for passkeys). */
  available: boolean;
  problem?: string | undefined;
  /** The chat bots this server runs: whether a broken glass is announced in chat at all. */
  chat?: ChatTransports | undefined;
};

/** Who hears of a broken glass here, in the words of the sentence it ends. */
const announced = (chat: ChatTransports | undefined): string => {
  const where = [chat?.slack ? 'Slack' : undefined, chat?.teams ? 'Teams' : undefined].filter(Boolean);
  return where.length > 0
    ? `announced in ${where.join(' and ')}, `
    : "shown only in the audit log and the approvers' console queue (no chat is configured on this server), ";
};

/**
 * Where an approval that needs a step-up is finished: reached from the request page's Approve, from
 * Slack's and Teams' Approve buttons, and from the API's 403 `step_up_required`. Breaking the glass
 * under a step-up rule is finished here too (`?for=break-glass`), with its reason.
 */
export function StepUpPage(props: StepUpView) {
  const r = props.request;
  if (props.purpose === 'break_glass') return <BreakGlassStepUp {...props} />;
  const form = `/requests/${r.id}/step-up`;
  return (
    <Layout title={`Approve ${r.action}`} nav={props.nav}>
      <p class="small">
        <a href={`/requests/${r.id}`}>← The request</a>
      </p>
      <h1>
        Approve <code>{r.action}</code>
      </h1>
      {props.problem && <Notice kind="error">{props.problem}</Notice>}
      <section class="card" aria-labelledby="step-up">
        <h2 id="step-up">
          {props.method === 'mfa' ? 'Sign in again with MFA' : 'Confirm with your passkey'}
        </h2>
        <p>
          The rule <code>{r.rule.name}</code> asks for more than a click: your approval counts only after{' '}
          {props.method === 'mfa'
            ? 'a fresh sign-in at your identity provider with multi-factor authentication'
            : 'one of your passkeys confirms it is you (with your PIN, fingerprint or face)'}
          , made now, for this request.
        </p>
        <p class="small muted">
          Requested by <code>{r.requester.id}</code>
          {r.resource && (
            <>
              {' '}
              on <code>{r.resource}</code>
            </>
          )}
          {r.environment && <> in {r.environment}</>}.
        </p>
        {r.status !== 'pending' ? (
          <Notice kind="info">This request has already been decided.</Notice>
        ) : !props.available ? (
          <Notice kind="error">
            {props.method === 'mfa'
              ? 'This server has no identity provider configured, so an MFA step-up cannot be made here.'
              : 'Passkeys need COUNTERSIGN_PUBLIC_URL to be set on this server.'}
          </Notice>
        ) : (
          <form
            method="post"
            action={props.method === 'mfa' ? form : `${form}/passkey`}
            data-passkey={props.method === 'passkey' ? 'approve' : undefined}
            data-options={props.method === 'passkey' ? `${form}/passkey/options` : undefined}
          >
            <input type="hidden" name="_csrf" value={props.nav.csrf} />
            <label for="step-up-comment">Comment (optional)</label>
            <textarea id="step-up-comment" name="comment" maxlength={4000} />
            <p class="alert error" role="alert" data-problem hidden />
            <p>
              <button class="approve" type="submit">
                {props.method === 'mfa' ? 'Continue to sign in with MFA' : 'Approve with a passkey'}
              </button>
            </p>
            {props.method === 'passkey' && (
              <noscript>
                <p>Passkeys need JavaScript in this page.</p>
              </noscript>
            )}
          </form>
        )}
      </section>
      {props.method === 'passkey' && <script src="/assets/passkey.js" defer />}
    </Layout>
  );
}

/** Break-glass under a step-up rule: the reason, then MFA or a passkey; the glass breaks after both. */
function BreakGlassStepUp(props: StepUpView) {
  const r = props.request;
  const form = `/requests/${r.id}/step-up`;
  const passkey = props.method === 'passkey';
  return (
    <Layout title={`Break the glass on ${r.action}`} nav={props.nav}>
      <p class="small">
        <a href={`/requests/${r.id}`}>← The request</a>
      </p>
      <h1>
        Break the glass on <code>{r.action}</code>
      </h1>
      {props.problem && <Notice kind="error">{props.problem}</Notice>}
      <section class="card" aria-labelledby="step-up">
        <h2 id="step-up">{passkey ? 'Confirm with your passkey' : 'Sign in again with MFA'}</h2>
        <p>
          The rule <code>{r.rule.name}</code> asks for a step-up on every approval, and breaking the glass is
          one: your request is approved only after{' '}
          {passkey
            ? 'one of your passkeys confirms it is you (with your PIN, fingerprint or face)'
            : 'a fresh sign-in at your identity provider with multi-factor authentication'}
          , made now, to break this request's glass. It is then {announced(props.chat)}audited with your
          reason and the step-up, and reviewed by an approver after.
        </p>
        {r.status !== 'pending' ? (
          <Notice kind="info">This request has already been decided.</Notice>
        ) : !props.available ? (
          <Notice kind="error">
            {passkey
              ? 'Passkeys need COUNTERSIGN_PUBLIC_URL to be set on this server.'
              : 'This server has no identity provider configured, so an MFA step-up cannot be made here.'}
          </Notice>
        ) : (
          <form
            method="post"
            action={passkey ? `${form}/passkey` : form}
            data-passkey={passkey ? 'break-glass' : undefined}
            data-options={passkey ? `${form}/passkey/options` : undefined}
          >
            <input type="hidden" name="_csrf" value={props.nav.csrf} />
            <input type="hidden" name="for" value="break-glass" />
            <label for="step-up-reason">Why no approver could be reached (at least 20 characters)</label>
            <textarea id="step-up-reason" name="reason" required minlength={20} maxlength={4000}>
              {props.reason ?? ''}
            </textarea>
            <p class="alert error" role="alert" data-problem hidden />
            <p>
              <button class="deny" type="submit">
                {passkey ? 'Break the glass with a passkey' : 'Continue to sign in with MFA'}
              </button>
            </p>
            {passkey && (
              <noscript>
                <p>Passkeys need JavaScript in this page.</p>
              </noscript>
            )}
          </form>
        )}
      </section>
      {passkey && <script src="/assets/passkey.js" defer />}
    </Layout>
  );
}
