/**
 * Everything the extension keeps, as typed items. `local:` survives browser restarts (the pairing,
 * the last rules); `session:` lives in memory until the browser closes and survives the service
 * worker being stopped, which the browser does at will (held requests, lifted blocks).
 */
import type { ConsoleRule } from '@countersign/shared/consoles';
import type { ActionInput, ActionRequest } from '@countersign/shared/sdk';
import { storage } from 'wxt/utils/storage';
import type { HoldView } from './holds-model';
import type { Who } from './messages';

export type Pairing = { serverUrl: string; key: string; user: Who; pairedAt: string };

export type StoredRules = { version: string; consoles: ConsoleRule[]; fetchedAt: string };

/** The background's record of one held request: what the overlay shows, and what it needs to resume. */
export type Hold = HoldView & {
  input?: ActionInput;
  digest?: string;
  request?: ActionRequest;
};

export const pairingItem = storage.defineItem<Pairing | null>('local:pairing', { fallback: null });

/** The last rules the server gave; absent until the first successful fetch. */
export const rulesItem = storage.defineItem<StoredRules | null>('local:rules', { fallback: null });

/** Why the last rules fetch failed, if it did. */
export const rulesErrorItem = storage.defineItem<string | null>('local:rulesError', { fallback: null });

export const holdsItem = storage.defineItem<Record<string, Hold>>('session:holds', { fallback: {} });

/** Session DNR rules that let one approved request through: rule id → when to take it away. */
export const liftsItem = storage.defineItem<Record<string, { holdId: string; until: number }>>(
  'session:lifts',
  {
    fallback: {},
  },
);
