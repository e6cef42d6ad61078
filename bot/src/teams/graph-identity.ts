import { normalizeEmail } from '@countersign/shared';
import type { Logger } from 'pino';
import { GRAPH_SCOPE } from './config';
import type { EntraTokens } from './entra-token';

// Short enough that a disabled account or a changed email stops counting within minutes.
const TTL_MS = 5 * 60_000;

export type Who = { ok: true; email: string } | { ok: false; why: string };

/**
 * Who a Teams user is: their Entra object id (`from.aadObjectId`, which the signed activity carries)
 * → the email Microsoft Graph holds for them, normalised by the one rule every email follows. A
 * disabled account, no mail, a look-alike address or Graph unreachable: no identity, never a guess
 * (the user principal name is a sign-in name, not necessarily anyone's mailbox).
 */
export class GraphIdentity {
  readonly #cache = new Map<string, { value: Who; at: number }>();

  constructor(private readonly deps: { graphUrl: string; tokens: EntraTokens; log: Logger }) {}

  async who(aadObjectId: string | undefined): Promise<Who> {
    if (!aadObjectId) return { ok: false, why: NO_ID };
    const hit = this.#cache.get(aadObjectId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    let answer: Response;
    try {
      const token = await this.deps.tokens.token(GRAPH_SCOPE);
      const url = `${this.deps.graphUrl}users/${encodeURIComponent(aadObjectId)}?$select=mail,userPrincipalName,accountEnabled`;
      answer = await fetch(url, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      this.deps.log.warn(
        { err: String(error) },
        'Microsoft Graph is unreachable; Teams decisions are refused',
      );
      return { ok: false, why: GRAPH_DOWN };
    }
    if (answer.status >= 500 || answer.status === 429 || answer.status === 401 || answer.status === 403) {
      this.deps.log.warn({ status: answer.status }, 'Microsoft Graph did not answer who a Teams user is');
      return { ok: false, why: GRAPH_DOWN };
    }
    const user = (await answer.json().catch(() => ({}))) as { mail?: unknown; accountEnabled?: unknown };
    const value = this.#judge(answer.status, user);
    this.#cache.set(aadObjectId, { value, at: Date.now() });
    return value;
  }

  #judge(status: number, user: { mail?: unknown; accountEnabled?: unknown }): Who {
    if (status === 404) return { ok: false, why: NO_USER };
    if (user.accountEnabled !== true) return { ok: false, why: DISABLED };
    if (typeof user.mail !== 'string' || user.mail === '') return { ok: false, why: NO_MAIL };
    const checked = normalizeEmail(user.mail);
    if (!checked.ok)
      return {
        ok: false,
        why: `Countersign can't use the email on your Microsoft account as an identity (${checked.reason}). Nothing was decided.`,
      };
    return { ok: true, email: checked.email };
  }
}

const NO_ID =
  "Countersign can't tell who you are: Teams sent no Entra object id for you. Nothing was decided.";
const GRAPH_DOWN =
  "Countersign can't check who you are right now (Microsoft Graph did not answer). Nothing was decided; try again in a minute.";
const NO_USER = "Countersign can't find your account in this organisation's directory. Nothing was decided.";
const DISABLED =
  'Your Microsoft account is disabled, so Countersign will not act for it. Nothing was decided.';
const NO_MAIL =
  "Countersign can't tell who you are: your Microsoft account has no email address (ask an admin to set its mail). Nothing was decided.";
