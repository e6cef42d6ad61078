import { maskSecrets, parseAmendedParams } from '@countersign/bot';
import { type AuditEvent, BreakGlassInput, ERROR_STATUS, ReviewInput } from '@countersign/shared';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Context } from 'hono';
import { deleteCookie, getCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { stream } from 'hono/streaming';
import { csvHeader, csvRow } from '../audit/query';
import type { StepUpPurpose } from '../db/schema';
import { DomainError } from '../errors';
import { clientAddress, compileTrust, type TrustProxy } from '../http/client-address';
import type { AppEnv } from '../http/env';
import { errorBody } from '../http/errors';
import { isRequesterHuman } from '../services/actions/access';
import { breakGlass } from '../services/actions/break-glass';
import { cancelAction } from '../services/actions/cancel-action';
import { eligibleApprovers } from '../services/actions/eligible-approvers';
import { getAction } from '../services/actions/get-action';
import { listStanding } from '../services/actions/list-standing';
import { mayDecide } from '../services/actions/may-decide';
import { requestTimeline } from '../services/actions/request-timeline';
import { reviewAction } from '../services/actions/review-action';
import { reviewOptions } from '../services/actions/review-options';
import { reviewQueue } from '../services/actions/review-queue';
import { readAudit, verifyAuditLog } from '../services/audit/read-audit';
import type { Core } from '../services/core';
import { linkedChatIdentities } from '../services/identity/linked-chat-identities';
import { createKey } from '../services/keys/create-key';
import { listKeys } from '../services/keys/list-keys';
import { revokeKey } from '../services/keys/revoke-key';
import { rotateKey } from '../services/keys/rotate-key';
import { listPasskeys } from '../services/passkeys/list-passkeys';
import { registerPasskey } from '../services/passkeys/register-passkey';
import { removePasskey } from '../services/passkeys/remove-passkey';
import { startPasskeyRegistration } from '../services/passkeys/start-passkey-registration';
import { policyCaseResults } from '../services/policy/policy-case-results';
import { policyHistory } from '../services/policy/policy-history';
import { reloadPolicy } from '../services/policy/reload-policy';
import { endSession, endSessionsOf } from '../services/sessions/end-sessions';
import { redeemLoginLink } from '../services/sessions/login-links';
import { refuseSessionCookie } from '../services/sessions/refuse-session-cookie';
import { signInWithIdp } from '../services/sessions/sign-in-with-idp';
import { relyingParty, stepUpMeans } from '../services/step-up/settings';
import { startStepUp } from '../services/step-up/start-step-up';
import { verifyMfaStepUp } from '../services/step-up/verify-mfa-step-up';
import { verifyPasskeyStepUp } from '../services/step-up/verify-passkey-step-up';
import type { Nav } from './components/layout';
import type { FormState } from './components/request-forms';
import { OidcClient, type PendingChecks } from './oidc';
import { AdminPage } from './pages/admin';
import { AuditPage, type AuditQuery } from './pages/audit';
import { ErrorPage } from './pages/error';
import { MinePage } from './pages/mine';
import { QueuePage } from './pages/queue';
import { RequestPage } from './pages/request';
import { SecurityPage } from './pages/security';
import { ConfirmLinkPage, SignInPage } from './pages/sign-in';
import { StepUpPage } from './pages/step-up';
import { PASSKEY_SCRIPT } from './passkey-script';
import { registerRequestForms } from './request-form-routes';
import {
  type ConsoleOptions,
  clearSessionCookie,
  cookieKey,
  cookieSecurity,
  csrfMatches,
  lookupSession,
  type Page,
  setSessionCookie,
} from './session';
import { CONSOLE_CSS } from './styles';

type C = Context<AppEnv>;
type Form = Record<string, string | File | (string | File)[]>;
const OIDC_COOKIE = 'countersign_oidc';
const PASSKEY_COOKIE = 'countersign_passkey';
const AUDIT_ROWS = 200;
// Masked as Slack and Teams mask them: a page is one more place a secret must not be shown.
const maskParams = (params: Record<string, unknown>) => maskSecrets(params) as Record<string, unknown>;

const APPROVED = 'Your approval is recorded.';
const BREAK_GLASS_REASON = 'Say why no approver could be reached, in at least 20 characters.';
const BROKEN =
  'Break-glass: your request is approved. It is in the audit log and in every approver’s queue for review.';
/** A WebAuthn response as the page's script posts it; @simplewebauthn checks every field of it. */
const credentialJson = (text: string) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError('invalid_request', 'The passkey answer is not JSON.');
  }
  const ok = typeof parsed === 'object' && parsed !== null && 'id' in parsed && 'response' in parsed;
  if (!ok) throw new DomainError('invalid_request', 'The passkey answer has no credential.');
  return parsed;
};

const navOf = (p: Page): Nav => ({
  email: p.actor.email,
  roles: { admin: p.actor.scopes.includes('admin'), audit: p.actor.scopes.includes('audit:read') },
  csrf: p.csrf,
});
const text = (form: Form, name: string): string => {
  const v = form[name];
  return typeof v === 'string' ? v : '';
};
/** Only a path on this site: `next=https://evil.example` must not turn sign-in into a redirector. */
const safeNext = (next: string | undefined): string =>
  next && /^\/(?!\/)[^\\\s]*$/.test(next) && !next.startsWith('/auth/') ? next : '/';

/**
 * The web console: server-rendered pages over the same verbs the API calls, and sign-in. Each page
 * handler parses, calls verbs, renders; refusals come from the core and are shown in its words.
 */
export function registerConsole(
  app: OpenAPIHono<AppEnv>,
  core: Core,
  options: ConsoleOptions & { trustProxy?: TrustProxy | undefined },
): void {
  const oidc = options.oidc ? new OidcClient(options.oidc) : undefined;
  const trust = compileTrust(options.trustProxy);
  const base = (c: C) => options.publicUrl ?? new URL(c.req.url).origin;
  const html = (c: C, node: unknown, status = 200) => {
    c.header('cache-control', 'no-store');
    c.header('x-frame-options', 'DENY');
    c.header(
      'content-security-policy',
      "default-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'" +
        (oidc ? ` ${new URL(oidc.issuer).origin}` : ''),
    );
    c.header('referrer-policy', 'same-origin');
    return c.html(`<!doctype html>${String(node)}`, status as 200);
  };

  // What a person sees when a form is refused as forged: the same page whichever check caught it.
  const forgedForm = (c: C, nav?: ReturnType<typeof navOf>) =>
    html(
      c,
      <ErrorPage
        title="Refused"
        message="This form has expired or did not come from this site; nothing was changed. Reload the page and try again."
        nav={nav}
      />,
      403,
    );

  // A form posted from another origin is refused before anything reads it (Origin checked by hono).
  // hono answers that with a bare 403 (an HTTPException): run its check alone, so the person gets the
  // page a bad CSRF token gets, and exceptions from the handlers after it are not taken for it.
  const originCheck = csrf({ origin: (origin, c) => origin === base(c as C) });
  const sameOrigin = async (c: C, next: () => Promise<void>) => {
    let passed = false;
    try {
      await originCheck(c, async () => {
        passed = true;
      });
    } catch (error) {
      if (!(error instanceof HTTPException)) throw error;
    }
    if (!passed) return forgedForm(c);
    await next();
  };
  for (const path of ['/auth/*', '/requests/*', '/standing/*', '/admin/*', '/security/*'])
    app.on('POST', path, sameOrigin);

  /** Runs a page for a signed-in person; anyone else is sent to sign in (GET) or refused (POST). */
  const page =
    (handler: (c: C, p: Page, form: Form) => Promise<Response>) =>
    async (c: C): Promise<Response> => {
      const found = await lookupSession(c, core, options);
      if ('signIn' in found) {
        if (found.signIn !== 'none') clearSessionCookie(c);
        if (found.signIn === 'tampered') {
          const address = clientAddress(c, trust);
          const verdict = await refuseSessionCookie(core, {
            cookie: getCookie(c, cookieSecurity(c).name) ?? '',
            path: c.req.path,
            address,
          });
          // Logged as it is audited: once per address a minute, with the count of those left out.
          if (verdict.audit)
            c.var.log.warn(
              { address, suppressed: verdict.suppressed, suppressedElsewhere: verdict.suppressedElsewhere },
              'console cookie with a bad signature refused',
            );
        }
        if (c.req.method === 'GET') {
          const next = encodeURIComponent(c.req.path + (new URL(c.req.url).search || ''));
          const reason = found.signIn === 'none' ? '' : `&reason=${found.signIn}`;
          return c.redirect(`/auth/login?next=${next}${reason}`, 303);
        }
        return html(
          c,
          <ErrorPage title="Sign in again" message="Your session has ended; nothing was changed." />,
          401,
        );
      }
      const p = found.page;
      let form: Form = {};
      if (c.req.method === 'POST') {
        form = await c.req.parseBody({ all: true });
        if (!csrfMatches(p.csrf, form._csrf)) return forgedForm(c, navOf(p));
      }
      try {
        return await handler(c, p, form);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return html(
          c,
          <ErrorPage title="Not possible" message={error.message} nav={navOf(p)} />,
          ERROR_STATUS[error.code],
        );
      }
    };

  /** A script's call: the answer as JSON, a refusal as the contract's error body. */
  const json = async (c: C, run: () => Promise<Record<string, unknown>>): Promise<Response> => {
    try {
      return c.json(await run(), 200);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return c.json(errorBody(error.code, error.message, error.details), ERROR_STATUS[error.code] as 400);
    }
  };

  const stepUpPage = async (
    c: C,
    p: Page,
    extra: { problem?: string; reason?: string } = {},
    status = 200,
  ) => {
    const request = await getAction({ ctx: { core, actor: p.actor }, id: c.req.param('id') ?? '' });
    if (!request.stepUp) return c.redirect(`/requests/${request.id}`, 303);
    // `?for=break-glass` (the API's refusal names it): the same step-up, made to break the glass.
    const purpose =
      c.req.query('for') === 'break-glass' || extra.reason !== undefined ? 'break_glass' : 'approve';
    // Slack's, Teams' and the API's links land here too: one the core would not let approve is sent
    // to the request page, which says who decides and why, rather than offered a step-up to no end.
    if (purpose === 'approve' && (await mayDecide({ ctx: { core, actor: p.actor }, id: request.id })).decide)
      return c.redirect(`/requests/${request.id}`, 303);
    const available = stepUpMeans({ ...core.stepUp, oidc: oidc !== undefined })[request.stepUp];
    return html(
      c,
      <StepUpPage
        nav={navOf(p)}
        request={request}
        method={request.stepUp}
        purpose={purpose}
        available={available}
        chat={options.chat}
        {...extra}
      />,
      status,
    );
  };

  /**
   * The Approve click on a step-up request. A passkey is asked for on the step-up page; for MFA the
   * click is recorded and the browser goes straight to the IdP for a fresh sign-in (max_age=0,
   * prompt=login, the MFA acr_values), which the callback checks before recording the approval.
   */
  const beginStepUp = async (
    c: C,
    p: Page,
    id: string,
    method: 'mfa' | 'passkey',
    comment: string,
    purpose: StepUpPurpose = 'approve',
  ) => {
    // A passkey is asked for on the step-up page; a break-glass's reason goes there with it.
    if (purpose === 'break_glass' && (method === 'passkey' || !oidc))
      return stepUpPage(c, p, { reason: comment });
    if (method === 'passkey' || !oidc) return c.redirect(`/requests/${id}/step-up`, 303);
    const started = await startStepUp({ ctx: { core, actor: p.actor }, id, comment, purpose });
    const round = await oidc.start(`${base(c)}/auth/callback`, { acrValues: core.stepUp.mfaAcr });
    // What the step-up is for rides along (signed), so a failure names what did not happen.
    const saved = { ...round.checks, next: `/requests/${id}`, stepUp: started.id, stepUpFor: purpose };
    await setSignedCookie(c, OIDC_COOKIE, JSON.stringify(saved), cookieKey(core), {
      httpOnly: true,
      secure: cookieSecurity(c).secure,
      sameSite: 'Lax',
      path: '/auth/',
      maxAge: 600,
    });
    return c.redirect(round.url, 302);
  };

  /**
   * A verified step-up does what it was made for: the approval, or the break-glass with the reason
   * typed before it. Either verb checks the step-up again, and spends it; the answer is the page's note.
   */
  const spendStepUp = async (
    ctx: { core: Core; actor: Page['actor'] },
    done: { actionId: string; comment: string | null; purpose: StepUpPurpose },
    stepUp: string,
  ): Promise<string> => {
    if (done.purpose === 'break_glass') {
      const input = BreakGlassInput.safeParse({ reason: done.comment ?? '' });
      if (!input.success) throw new DomainError('invalid_request', BREAK_GLASS_REASON);
      await breakGlass({ ctx, id: done.actionId, input: input.data, stepUp });
      return BROKEN;
    }
    await reviewAction({
      ctx,
      id: done.actionId,
      input: { decision: 'approve', ...(done.comment && { comment: done.comment }) },
      stepUp,
    });
    return APPROVED;
  };

  /** Back from the IdP with a step-up's ID token: checked by the core, then the approval recorded. */
  const finishMfaStepUp = async (
    c: C,
    stepUp: string,
    claims: Parameters<typeof verifyMfaStepUp>[0]['claims'],
    purpose: StepUpPurpose = 'approve',
  ) => {
    const found = await lookupSession(c, core, options);
    if ('signIn' in found)
      return html(
        c,
        <ErrorPage title="Sign in again" message="Your session has ended; nothing was approved." />,
        401,
      );
    const p = found.page;
    const ctx = { core, actor: p.actor };
    try {
      const done = await verifyMfaStepUp({ ctx, stepUpId: stepUp, claims });
      const note = await spendStepUp(ctx, done, stepUp);
      return c.redirect(`/requests/${done.actionId}?done=${encodeURIComponent(note)}`, 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return html(
        c,
        <ErrorPage
          title={purpose === 'break_glass' ? 'Glass not broken' : 'Not approved'}
          message={error.message}
          nav={navOf(p)}
        />,
        ERROR_STATUS[error.code],
      );
    }
  };

  app.get('/assets/console.css', (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.body(CONSOLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8' });
  });

  app.get('/assets/passkey.js', (c) => {
    c.header('cache-control', 'public, max-age=300');
    return c.body(PASSKEY_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });

  // ---- sign-in ----
  app.get('/auth/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    const reason = c.req.query('reason');
    if (oidc && (c.req.query('go') === '1' || !reason)) {
      const started = await oidc.start(`${base(c)}/auth/callback`);
      await setSignedCookie(c, OIDC_COOKIE, JSON.stringify({ ...started.checks, next }), cookieKey(core), {
        httpOnly: true,
        secure: cookieSecurity(c).secure,
        sameSite: 'Lax',
        path: '/auth/',
        maxAge: 600,
      });
      return c.redirect(started.url, 302);
    }
    return html(c, <SignInPage reason={reason} oidc={oidc !== undefined} next={next} />);
  });

  app.get('/auth/callback', async (c) => {
    if (!oidc)
      return html(
        c,
        <ErrorPage title="Not found" message="Sign-in through an identity provider is not configured." />,
        404,
      );
    const saved = await getSignedCookie(c, cookieKey(core), OIDC_COOKIE);
    deleteCookie(c, OIDC_COOKIE, { path: '/auth/', secure: cookieSecurity(c).secure });
    if (typeof saved !== 'string')
      return html(
        c,
        <SignInPage
          problem="That sign-in attempt has expired or was started in another browser. Try again."
          oidc
          next="/"
        />,
        400,
      );
    const checks = JSON.parse(saved) as PendingChecks & {
      next: string;
      stepUp?: string;
      stepUpFor?: StepUpPurpose;
    };
    const address = clientAddress(c, trust);
    let claims: Awaited<ReturnType<OidcClient['finish']>>;
    try {
      const current = new URL(`${base(c)}${c.req.path}${new URL(c.req.url).search}`);
      claims = await oidc.finish(current, checks);
    } catch (error) {
      c.var.log.warn({ err: error }, 'OIDC callback refused');
      return html(
        c,
        <SignInPage
          problem="Your identity provider's answer could not be verified. Try again."
          oidc
          next="/"
        />,
        400,
      );
    }
    if (checks.stepUp)
      return finishMfaStepUp(
        c,
        checks.stepUp,
        claims,
        checks.stepUpFor === 'break_glass' ? 'break_glass' : 'approve',
      );
    try {
      const session = await signInWithIdp(core, claims, {
        trustsEmails: oidc.emailsVerified,
        limits: options.limits,
        address,
      });
      await setSessionCookie(c, core, session.token, options.limits.maxMs);
      return c.redirect(safeNext(checks.next), 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return html(c, <SignInPage problem={error.message} oidc next="/" />, ERROR_STATUS[error.code]);
    }
  });

  app.get('/auth/link', (c) => html(c, <ConfirmLinkPage token={c.req.query('token') ?? ''} />));
  app.post('/auth/link', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token : '';
    try {
      const session = await redeemLoginLink(core, token, options.limits, {
        address: clientAddress(c, trust),
      });
      await setSessionCookie(c, core, session.token, options.limits.maxMs);
      return c.redirect('/', 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return html(
        c,
        <SignInPage problem={error.message} oidc={oidc !== undefined} next="/" />,
        ERROR_STATUS[error.code],
      );
    }
  });

  app.post(
    '/auth/logout',
    page(async (c, p) => {
      await endSession({ ctx: { core, actor: p.actor } });
      clearSessionCookie(c);
      return c.redirect('/auth/login?reason=ended', 303);
    }),
  );
  app.post(
    '/auth/logout-everywhere',
    page(async (c, p) => {
      await endSessionsOf({ ctx: { core, actor: p.actor }, person: p.actor.email });
      clearSessionCookie(c);
      return c.redirect('/auth/login?reason=ended', 303);
    }),
  );

  // ---- pages ----
  app.get(
    '/',
    page(async (c, p) => {
      const ctx = { core, actor: p.actor };
      const queue = await reviewQueue({ ctx });
      return html(
        c,
        <QueuePage
          nav={navOf(p)}
          items={queue.reviewable}
          followUps={queue.followUps}
          standing={await listStanding({ ctx })}
          now={core.now()}
          flash={c.req.query('done')}
        />,
      );
    }),
  );

  app.get(
    '/mine',
    page(async (c, p) => {
      const queue = await reviewQueue({ ctx: { core, actor: p.actor } });
      return html(
        c,
        <MinePage nav={navOf(p)} items={queue.mine} now={core.now()} flash={c.req.query('done')} />,
      );
    }),
  );

  const requestPage = async (
    c: C,
    p: Page,
    extra: { problem?: string; flash?: string; formState?: FormState } = {},
    status = 200,
  ) => {
    const ctx = { core, actor: p.actor };
    const id = c.req.param('id') ?? '';
    const request = await getAction({ ctx, id });
    const timeline = await requestTimeline({ ctx, id });
    const masked = request.params ? { ...request, params: maskParams(request.params) } : request;
    const eligible = await eligibleApprovers({ ctx, id });
    // Which forms to offer, by the checks the verbs make (may-decide); every verb checks again on post.
    const rights = await mayDecide({ ctx, id });
    const viewer = {
      requesterSide: isRequesterHuman(p.actor.email, request.requester.id, request.requester.owner),
      reviewer: rights.review === undefined,
      refusal: rights.decide,
    };
    // Amending and standing approvals are offered where the rule allows them now; a step-up
    // approval happens on its own page.
    const offers =
      request.status === 'pending' && !request.stepUp ? await reviewOptions(core, id) : undefined;
    const amendable = offers?.amend ? JSON.stringify(masked.params ?? {}, null, 2) : undefined;
    return html(
      c,
      <RequestPage
        nav={navOf(p)}
        request={masked}
        eligible={eligible}
        timeline={timeline}
        now={core.now()}
        amendable={amendable}
        viewer={viewer}
        standingOffer={viewer.reviewer ? offers?.standing : undefined}
        chat={options.chat}
        {...extra}
      />,
      status,
    );
  };
  app.get(
    '/requests/:id',
    page((c, p) => requestPage(c, p, { flash: c.req.query('done') })),
  );
  registerRequestForms(app, {
    core,
    page,
    requestPage,
    safeNext,
    breakGlassStepUp: (c, p, id, method, reason) => beginStepUp(c, p, id, method, reason, 'break_glass'),
  });
  app.post(
    '/requests/:id/review',
    page(async (c, p, form) => {
      const decision = text(form, 'decision');
      if (decision !== 'approve' && decision !== 'deny')
        return requestPage(c, p, { problem: 'Choose approve or deny.' }, 400);
      const comment = text(form, 'comment').trim();
      // The version the page showed: the core refuses the decision if the request was amended since.
      const digest = text(form, 'digest');
      if (decision === 'approve') {
        const wanted = await getAction({ ctx: { core, actor: p.actor }, id: c.req.param('id') ?? '' });
        // The click is the start of the step-up, so the version is checked here too, before it begins.
        if (wanted.stepUp && digest && digest !== wanted.digest)
          return requestPage(c, p, { problem: 'This request changed since you opened it; look again.' }, 409);
        // The click is the start of the step-up; the approval is recorded when it is done.
        if (wanted.stepUp) return beginStepUp(c, p, wanted.id, wanted.stepUp, comment);
      }
      try {
        await reviewAction({
          ctx: { core, actor: p.actor },
          id: c.req.param('id') ?? '',
          input: { decision, ...(comment && { comment }), ...(digest && { digest }) },
        });
      } catch (error) {
        if (!(error instanceof DomainError) || error.code === 'not_found') throw error;
        return requestPage(c, p, { problem: error.message }, ERROR_STATUS[error.code]);
      }
      const done = decision === 'approve' ? 'Your approval is recorded.' : 'You denied this request.';
      return c.redirect(`/requests/${c.req.param('id')}?done=${encodeURIComponent(done)}`, 303);
    }),
  );
  app.post(
    '/requests/:id/amend',
    page(async (c, p, form) => {
      const ctx = { core, actor: p.actor };
      const id = c.req.param('id') ?? '';
      const current = await getAction({ ctx, id });
      // The reviewer edited the params they were shown: if the request changed since, they did not see it.
      if (text(form, 'digest') !== current.digest)
        return requestPage(c, p, { problem: 'This request changed since you opened it; look again.' }, 409);
      const amended = parseAmendedParams(text(form, 'params'), current.params);
      if ('error' in amended) return requestPage(c, p, { problem: amended.error }, 400);
      const comment = text(form, 'comment').trim();
      // The API's schema: amended params keep its size and depth bounds.
      const input = ReviewInput.safeParse({
        decision: 'approve',
        amend: { params: amended.params },
        // Checked again by the core, in the review's transaction: an amend racing this one loses there.
        digest: current.digest,
        ...(comment && { comment }),
      });
      if (!input.success) {
        const issue = input.error.issues[0];
        return requestPage(
          c,
          p,
          { problem: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` },
          400,
        );
      }
      try {
        await reviewAction({ ctx, id, input: input.data });
      } catch (error) {
        if (!(error instanceof DomainError) || error.code === 'not_found') throw error;
        return requestPage(c, p, { problem: error.message }, ERROR_STATUS[error.code]);
      }
      const done = 'You approved this request with your changes.';
      return c.redirect(`/requests/${id}?done=${encodeURIComponent(done)}`, 303);
    }),
  );
  app.get(
    '/requests/:id/step-up',
    page((c, p) => stepUpPage(c, p)),
  );
  app.post(
    '/requests/:id/step-up',
    page(async (c, p, form) => {
      const request = await getAction({ ctx: { core, actor: p.actor }, id: c.req.param('id') ?? '' });
      if (!request.stepUp) return c.redirect(`/requests/${request.id}`, 303);
      if (text(form, 'for') === 'break-glass') {
        const reason = text(form, 'reason');
        if (!BreakGlassInput.safeParse({ reason }).success)
          return stepUpPage(c, p, { reason, problem: BREAK_GLASS_REASON }, 400);
        return beginStepUp(c, p, request.id, request.stepUp, reason.trim(), 'break_glass');
      }
      return beginStepUp(c, p, request.id, request.stepUp, text(form, 'comment').trim());
    }),
  );
  app.post(
    '/requests/:id/step-up/passkey/options',
    page((c, p, form) =>
      json(c, async () => {
        const glass = text(form, 'for') === 'break-glass';
        const comment = text(form, glass ? 'reason' : 'comment').trim();
        if (glass && !BreakGlassInput.safeParse({ reason: comment }).success)
          throw new DomainError('invalid_request', BREAK_GLASS_REASON);
        const started = await startStepUp({
          ctx: { core, actor: p.actor },
          id: c.req.param('id') ?? '',
          comment,
          purpose: glass ? 'break_glass' : 'approve',
        });
        return { stepUp: started.id, options: started.options };
      }),
    ),
  );
  app.post(
    '/requests/:id/step-up/passkey',
    page((c, p, form) =>
      json(c, async () => {
        const ctx = { core, actor: p.actor };
        const stepUp = text(form, 'stepUp');
        const response = credentialJson(text(form, 'response')) as AuthenticationResponseJSON;
        const done = await verifyPasskeyStepUp({ ctx, stepUpId: stepUp, response });
        if (done.actionId !== c.req.param('id'))
          throw new DomainError('step_up_required', 'That step-up was made for another request.');
        const note = await spendStepUp(ctx, done, stepUp);
        return { location: `/requests/${done.actionId}?done=${encodeURIComponent(note)}` };
      }),
    ),
  );
  app.post(
    '/requests/:id/cancel',
    page(async (c, p) => {
      await cancelAction({ ctx: { core, actor: p.actor }, id: c.req.param('id') ?? '' });
      return c.redirect(`/mine?done=${encodeURIComponent('Request cancelled.')}`, 303);
    }),
  );

  app.get(
    '/security',
    page(async (c, p) => {
      const mine = await listPasskeys({ ctx: { core, actor: p.actor } });
      return html(
        c,
        <SecurityPage
          nav={navOf(p)}
          passkeys={mine}
          available={relyingParty(core.stepUp) !== undefined}
          flash={c.req.query('done')}
        />,
      );
    }),
  );
  app.post(
    '/security/passkeys/options',
    page((c, p) =>
      json(c, async () => {
        const options = await startPasskeyRegistration({ ctx: { core, actor: p.actor } });
        // The challenge waits in a signed cookie tied to this browser; it lives as long as the prompt.
        await setSignedCookie(c, PASSKEY_COOKIE, options.challenge, cookieKey(core), {
          httpOnly: true,
          secure: cookieSecurity(c).secure,
          sameSite: 'Strict',
          path: '/security/',
          maxAge: 180,
        });
        return { options };
      }),
    ),
  );
  app.post(
    '/security/passkeys',
    page((c, p, form) =>
      json(c, async () => {
        const challenge = await getSignedCookie(c, cookieKey(core), PASSKEY_COOKIE);
        deleteCookie(c, PASSKEY_COOKIE, { path: '/security/', secure: cookieSecurity(c).secure });
        if (typeof challenge !== 'string')
          throw new DomainError('invalid_request', 'That passkey prompt has expired; try again.');
        const added = await registerPasskey({
          ctx: { core, actor: p.actor },
          challenge,
          response: credentialJson(text(form, 'response')) as RegistrationResponseJSON,
          name: text(form, 'name'),
        });
        return { location: `/security?done=${encodeURIComponent(`Passkey "${added.name}" added.`)}` };
      }),
    ),
  );
  app.post(
    '/security/passkeys/:id/remove',
    page(async (c, p) => {
      await removePasskey({ ctx: { core, actor: p.actor }, id: c.req.param('id') ?? '' });
      return c.redirect(`/security?done=${encodeURIComponent('Passkey removed.')}`, 303);
    }),
  );

  app.get(
    '/audit',
    page(async (c, p) => {
      const ctx = { core, actor: p.actor };
      const query = auditQuery(c);
      const events: AuditEvent[] = [];
      let more = false;
      for await (const event of readAudit({ ctx, filter: auditFilter(query) })) {
        events.push(event);
        if (events.length > AUDIT_ROWS) {
          events.shift();
          more = true;
        }
      }
      const verification = await verifyAuditLog({ ctx });
      return html(
        c,
        <AuditPage
          nav={navOf(p)}
          query={query}
          events={events.reverse()}
          more={more}
          verification={verification}
        />,
      );
    }),
  );
  app.get(
    '/audit/export',
    page(async (c, p) => {
      const csv = c.req.query('format') === 'csv';
      const events = readAudit({ ctx: { core, actor: p.actor }, filter: auditFilter(auditQuery(c)) });
      c.header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
      c.header('content-disposition', `attachment; filename="countersign-audit.${csv ? 'csv' : 'ndjson'}"`);
      return stream(c, async (out) => {
        if (csv) await out.write(csvHeader());
        for await (const event of events) await out.write(csv ? csvRow(event) : `${JSON.stringify(event)}\n`);
      });
    }),
  );

  const adminPage = async (
    c: C,
    p: Page,
    extra: Parameters<typeof AdminPage>[0] extends infer P ? Partial<P> : never = {},
    status = 200,
  ) => {
    const ctx = { core, actor: p.actor };
    const [keys, policy, cases, linked] = await Promise.all([
      listKeys({ ctx }),
      policyHistory({ ctx }),
      policyCaseResults({ ctx, casesFile: options.policyCases }),
      linkedChatIdentities({ ctx }),
    ]);
    return html(
      c,
      <AdminPage
        nav={navOf(p)}
        keys={keys}
        policy={{ ...policy.current, past: policy.past }}
        cases={cases}
        linked={linked}
        {...extra}
      />,
      status,
    );
  };
  app.get(
    '/admin',
    page((c, p) => adminPage(c, p, { flash: c.req.query('done') })),
  );
  app.post(
    '/admin/keys',
    page(async (c, p, form) => {
      const expiresText = text(form, 'expiresAt');
      const expiresAt = expiresText
        ? Date.parse(expiresText.length === 16 ? `${expiresText}:00Z` : expiresText)
        : undefined;
      if (expiresAt !== undefined && Number.isNaN(expiresAt))
        return adminPage(c, p, { problem: 'The expiry is not a time.' }, 400);
      const scopes = [form.scopes ?? []].flat().filter((s): s is string => typeof s === 'string');
      const ctx = { core, actor: p.actor };
      try {
        const made =
          text(form, 'kind') === 'agent'
            ? await createKey({
                ctx,
                input: { kind: 'agent', name: text(form, 'name'), owner: text(form, 'owner'), expiresAt },
              })
            : await createKey({
                ctx,
                input: { kind: 'user', email: text(form, 'email'), scopes: scopes as never, expiresAt },
              });
        return adminPage(
          c,
          p,
          { created: { id: made.id, principal: made.principal, token: made.token } },
          201,
        );
      } catch (error) {
        if (!(error instanceof DomainError) || error.code === 'forbidden') throw error;
        return adminPage(c, p, { problem: error.message }, ERROR_STATUS[error.code]);
      }
    }),
  );
  app.post(
    '/admin/keys/:id/revoke',
    page(async (c, p) => {
      await revokeKey({ ctx: { core, actor: p.actor }, id: c.req.param('id') ?? '' });
      return c.redirect(`/admin?done=${encodeURIComponent(`Key ${c.req.param('id')} revoked.`)}`, 303);
    }),
  );
  app.post(
    '/admin/keys/:id/rotate',
    page(async (c, p, form) => {
      const graceText = text(form, 'graceMinutes').trim();
      const graceMinutes = graceText === '' ? 0 : Number(graceText);
      try {
        const rotated = await rotateKey({
          ctx: { core, actor: p.actor },
          id: c.req.param('id') ?? '',
          input: { graceMinutes },
        });
        const replaced = rotated.replaced.revokedAt
          ? `Key ${rotated.replaced.id} is revoked.`
          : `Key ${rotated.replaced.id} keeps working until ${rotated.replaced.expiresAt?.replace('T', ' ').slice(0, 16)} UTC.`;
        return adminPage(
          c,
          p,
          { created: { id: rotated.id, principal: rotated.principal, token: rotated.token, replaced } },
          201,
        );
      } catch (error) {
        if (!(error instanceof DomainError) || error.code === 'forbidden') throw error;
        return adminPage(c, p, { problem: error.message }, ERROR_STATUS[error.code]);
      }
    }),
  );
  app.post(
    '/admin/policy/reload',
    page(async (c, p) => {
      const reloaded = await reloadPolicy({ ctx: { core, actor: p.actor } });
      const done = reloaded.changed
        ? `Policy ${reloaded.version.slice(0, 19)} now in force.`
        : 'The policy file has not changed.';
      return c.redirect(`/admin?done=${encodeURIComponent(done)}`, 303);
    }),
  );
}

function auditQuery(c: C): AuditQuery {
  const pick = (name: keyof AuditQuery) => c.req.query(name)?.trim() || undefined;
  const q: AuditQuery = {};
  for (const name of ['since', 'until', 'actor', 'action', 'subject'] as const) {
    const v = pick(name);
    if (v) q[name] = v;
  }
  return q;
}

function auditFilter(q: AuditQuery) {
  const time = (v: string | undefined) => {
    if (!v) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime()))
      throw new DomainError('invalid_request', `"${v}" is not a time (use ISO 8601, e.g. 2026-01-31T09:00Z)`);
    return d;
  };
  return { since: time(q.since), until: time(q.until), actor: q.actor, action: q.action, subject: q.subject };
}
