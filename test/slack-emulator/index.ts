export { BLOCK_KIT_LIMITS, type LimitRule } from './block-kit-limits';
export type { BlockKitIssue } from './block-kit-validator';
export { type SlackEmulator, type SocketModeControl, startSlackEmulator } from './emulator';
export type { CallPredicate } from './recorder';
export type { ResponseUrlTarget } from './response-urls';
export type { EnvelopeType, SocketModeAck } from './socket-mode/socket-mode-server';
export type {
  Fault,
  Json,
  JsonObject,
  MessageRevision,
  RecordedCall,
  SeedChannel,
  SeedUser,
  SeedUsergroup,
  SlackEmulatorOptions,
  StoredMessage,
  StoredView,
} from './types';
