import { normalizeEmail } from '@countersign/shared';
import { ScimRefusal } from './scim-refusal';

/** A user as the identity provider describes it, minus what the server assigns (id, meta). */
export type ScimUserState = {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  /** Every attribute as given (name, emails, enterprise extension …), returned as given. */
  resource: Record<string, unknown>;
};

type EmailEntry = { value?: unknown; type?: unknown; primary?: unknown };

/**
 * The person this user is: the primary email, else the work one, else the first, else a userName that
 * is an address. Through the one normalisation: a look-alike is refused, never mapped onto someone.
 */
export function personEmail(state: ScimUserState): string {
  const raw = state.resource.emails;
  const list: EmailEntry[] = Array.isArray(raw)
    ? raw.filter((e): e is EmailEntry => typeof e === 'object' && e !== null)
    : [];
  const chosen =
    list.find((e) => e.primary === true || e.primary === 'true') ??
    list.find((e) => typeof e.type === 'string' && e.type.toLowerCase() === 'work') ??
    list[0];
  const given = typeof chosen?.value === 'string' ? chosen.value : state.userName;
  const checked = normalizeEmail(given);
  if (!checked.ok) throw new ScimRefusal(403, `identity_unusable: email "${given}": ${checked.reason}`);
  return checked.email;
}
