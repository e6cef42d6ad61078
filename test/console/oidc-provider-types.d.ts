// oidc-provider 8 ships no type declarations (and @types/oidc-provider is not installed): the few
// parts the test IdP uses, typed as they are documented.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Account = { accountId: string; claims: () => Record<string, unknown> };
  type Interaction = { uid: string; params: Record<string, unknown> };

  export type Configuration = {
    clients: Record<string, unknown>[];
    claims?: Record<string, string[]>;
    acrValues?: string[];
    jwks?: { keys: Record<string, unknown>[] };
    cookies?: { keys: string[] };
    ttl?: Record<string, number>;
    pkce?: { required: () => boolean };
    features?: Record<string, { enabled: boolean }>;
    interactions?: { url: (ctx: unknown, interaction: Interaction) => string };
    findAccount: (ctx: unknown, id: string) => Account | undefined | Promise<Account | undefined>;
  };

  class Grant {
    constructor(fields: { accountId: string; clientId: string });
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    Grant: typeof Grant;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
    ): Promise<void>;
  }
}
