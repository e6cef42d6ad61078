import type { Scope } from '@countersign/shared';

/** Who is acting. Every service verb receives one; transports build it, the core trusts only it. */
export type Actor =
  | {
      kind: 'agent';
      id: string;
      name: string;
      owner: string;
      keyId: string;
      scopes: readonly Scope[];
      /**
       * Whether the identity provider had taken the owner away, read in the same statement as the key
       * (authenticate); unset when the actor was built without it, and then assertOwnerActive reads it.
       */
      ownerGone?: boolean;
    }
  | { kind: 'person'; via: 'api'; id: string; email: string; keyId: string; scopes: readonly Scope[] }
  | { kind: 'person'; via: 'slack'; id: string; email: string; slackUserId: string }
  // Teams vouches for the person through Microsoft Graph (their Entra object id → email).
  | { kind: 'person'; via: 'teams'; id: string; email: string; aadObjectId: string }
  // Signed in to the web console: scopes come from the policy's `access` section at each request.
  | { kind: 'person'; via: 'console'; id: string; email: string; sessionId: string; scopes: readonly Scope[] }
  | { kind: 'system'; id: 'system:sweeper' | 'system:cli' | 'system:server' };

/** Scopes an actor holds. People acting in Slack act as themselves, as reviewers. */
export function scopesOf(actor: Actor): readonly Scope[] {
  switch (actor.kind) {
    case 'agent':
      return actor.scopes;
    case 'person':
      return actor.via === 'slack' || actor.via === 'teams' ? ['reviews:write'] : actor.scopes;
    case 'system':
      return ['admin', 'audit:read'];
  }
}

export function hasScope(actor: Actor, scope: Scope): boolean {
  return scopesOf(actor).includes(scope);
}

/** The email of the human behind an actor, if there is one: a person, or an agent's owner. */
export function humanOf(actor: Actor): string | undefined {
  switch (actor.kind) {
    case 'agent':
      return actor.owner;
    case 'person':
      return actor.email;
    case 'system':
      return undefined;
  }
}
