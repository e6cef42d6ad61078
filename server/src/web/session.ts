import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { Core } from '../services/core';
import { type ConsoleActor, consoleActor } from '../services/sessions/console-actor';
import { resumeSession } from '../services/sessions/resume-session';
import type { SessionLimits } from '../services/sessions/session-limits';

export type ConsoleOptions = {
  /** COUNTERSIGN_PUBLIC_URL: the origin people reach the console at (links, the OIDC redirect). */
  publicUrl?: string | undefined;
  limits: SessionLimits;
  oidc?: OidcSettings | undefined;
  /** COUNTERSIGN_POLICY_CASES: the policy's `policy test` cases, run on the Admin page. */
  policyCases?: string | undefined;
  /** Which chat bots this server runs, so a page says truthfully who will hear of a break-glass. */
  chat?: ChatTransports | undefined;
};

export type ChatTransports = { slack: boolean; teams: boolean };

export type OidcSettings = {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  /** The issuer verifies every email it asserts, so a missing email_verified is not a refusal. */
  emailsVerified: boolean;
};

/** What a console page handler gets: the verbs' context and the session's CSRF token for its forms. */
export type Page = { actor: ConsoleActor; csrf: string };

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Secure everywhere but plain http to a loopback address (the `npm start` default), where a Secure
 * cookie would never come back. The name follows: `__Host-` binds it to this exact origin.
 */
export function cookieSecurity(c: Context): { secure: boolean; name: string } {
  const url = new URL(c.req.url);
  const secure = url.protocol === 'https:' || !LOOPBACK.test(url.hostname);
  return { secure, name: secure ? '__Host-countersign' : 'countersign' };
}

/** The cookie signing key: derived from the install's secret, the same on every node. */
export const cookieKey = (core: Core): string =>
  createHmac('sha256', core.secret).update('console-cookie').digest('base64url');

export async function setSessionCookie(
  c: Context,
  core: Core,
  token: string,
  maxAgeMs: number,
): Promise<void> {
  const { secure, name } = cookieSecurity(c);
  await setSignedCookie(c, name, token, cookieKey(core), {
    httpOnly: true,
    secure,
    sameSite: 'Lax',
    path: '/',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(c: Context): void {
  const { secure, name } = cookieSecurity(c);
  deleteCookie(c, name, { path: '/', secure });
}

export type SessionLookup =
  | { page: Page }
  | { signIn: 'none' | 'tampered' | 'ended' | 'idle' | 'expired' | 'unknown' };

/** The signed-in person, or why they must sign in again. A cookie whose signature fails is never read. */
export async function lookupSession(c: Context, core: Core, options: ConsoleOptions): Promise<SessionLookup> {
  const { name } = cookieSecurity(c);
  const token = await getSignedCookie(c, cookieKey(core), name);
  if (token === undefined) return { signIn: 'none' };
  if (token === false) return { signIn: 'tampered' };
  const session = await resumeSession(core, token, options.limits);
  if ('refused' in session) return { signIn: session.refused };
  const actor = consoleActor(core, session);
  return { page: { actor, csrf: session.csrfToken } };
}

/** The per-session token a state-changing form carries, compared in constant time. */
export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
