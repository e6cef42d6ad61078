import type { Logger } from 'pino';
import type { Actor } from '../context';

export type AppEnv = {
  Variables: {
    actor: Actor;
    requestId: string;
    log: Logger;
    /** The client's address behind any trusted proxy; set on routes that key or audit by it. */
    clientAddress: string;
  };
};
