import type { ActionRequest } from '@countersign/shared';
import { REVOKE_VERB } from '../cards/forms';
import { REASON_INPUT } from '../cards/request-card';

/** A click: its verb, the request (or, for Revoke, the standing approval) and the card's inputs. */
export type Click = {
  verb: string;
  actionId: string;
  reason: string | undefined;
  data: Record<string, unknown>;
};

/** A card input as typed, trimmed; undefined when empty or not text (Teams sends numbers as text too). */
export function input(click: Click, name: string): string | undefined {
  const value = click.data[name];
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return text || undefined;
}

/** The verb, request and reason of an Action.Execute (invoke) or its Action.Submit fallback (message). */
export function clickOf(value: unknown): Click | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { action?: { verb?: unknown; data?: unknown }; verb?: unknown };
  const data = (v.action?.data ?? value) as Record<string, unknown>;
  const verb = v.action?.verb ?? v.verb ?? data.verb;
  // Revoke names a standing approval; every other button names its request.
  const id = verb === REVOKE_VERB ? data.standingId : data.actionId;
  if (typeof verb !== 'string' || typeof id !== 'string') return undefined;
  const reason = typeof data[REASON_INPUT] === 'string' ? (data[REASON_INPUT] as string).trim() : undefined;
  return { verb, actionId: id, reason: reason || undefined, data };
}

/** How a click is answered: words for the clicker alone, or the request's card, replaced for everyone. */
export type Reply = {
  tell(text: string): Promise<void>;
  show(request: ActionRequest, line: string, side?: 'approvers' | 'requester'): Promise<void>;
};
