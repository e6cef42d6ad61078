import type { Logger } from 'pino';
import type { Actor } from '../context';

export type AppEnv = { Variables: { actor: Actor; requestId: string; log: Logger } };
