import type { Logger } from 'pino';
import type { TeamsConfig } from './config';
import type { GraphIdentity } from './graph-identity';
import type { TeamsPort } from './port';

export type TeamsDeps = { port: TeamsPort; identity: GraphIdentity; config: TeamsConfig; log: Logger };
