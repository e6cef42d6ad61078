import { z } from 'zod';

export const SCOPES = ['actions:write', 'reviews:write', 'audit:read', 'admin'] as const;
export const Scope = z.enum(SCOPES);
export type Scope = z.infer<typeof Scope>;

export const AGENT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const AgentName = z.string().regex(AGENT_NAME, 'lower-case letters, digits, . _ - (max 63)');
export const Email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
