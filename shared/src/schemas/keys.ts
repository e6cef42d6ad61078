import { z } from 'zod';
import { normalizeEmail } from '../identity/email';

// `scim` is for the identity provider's key alone: it opens /scim/v2 and nothing else.
export const SCOPES = ['actions:write', 'reviews:write', 'audit:read', 'admin', 'scim'] as const;
export const Scope = z.enum(SCOPES);
export type Scope = z.infer<typeof Scope>;

export const AGENT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** AGENT_NAME in words: the one wording the check's refusal and `keys create --help` both show. */
export const AGENT_NAME_RULE = 'lower-case letters, digits, . _ - (max 63, starting with a letter or digit)';
export const AgentName = z.string().regex(AGENT_NAME, AGENT_NAME_RULE);
/** An email naming a person, in its one normalised form (see identity/email.ts); look-alikes are refused. */
export const Email = z.string().transform((given, ctx) => {
  const checked = normalizeEmail(given);
  if (checked.ok) return checked.email;
  ctx.addIssue({ code: 'custom', message: checked.reason });
  return z.NEVER;
});
