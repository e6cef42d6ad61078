import type { MessageStore } from './message-store';
import { rejectMessageContent } from './methods/chat';
import { boolArg, stringArg } from './request';
import type { Json, JsonObject } from './types';

export interface ResponseUrlTarget {
  channel: string;
  ts: string;
}

export interface ResponseUrlResult {
  status: number;
  body: JsonObject;
}

/**
 * response_url endpoints. Slack hands one out with each interaction; posting to it can reply, or edit or delete
 * the message the interaction came from (replace_original / delete_original).
 */
export class ResponseUrls {
  readonly #targets = new Map<string, ResponseUrlTarget | undefined>();

  constructor(private readonly store: MessageStore) {}

  /** Registers `id`; with a target, replace_original / delete_original act on that message. */
  register(id: string, target: ResponseUrlTarget | undefined): void {
    this.#targets.set(id, target);
  }

  handle(id: string, args: JsonObject): ResponseUrlResult {
    if (!this.#targets.has(id)) return { status: 404, body: { ok: false, error: 'no_such_response_url' } };
    const target = this.#targets.get(id);
    // Assumption: rejected the way Slack's incoming webhooks reject bad blocks — HTTP 400, error invalid_blocks.
    const rejected = rejectMessageContent(args, false);
    if (rejected !== undefined) return { status: 400, body: rejected };
    if (target !== undefined && boolArg(args, 'delete_original')) {
      this.store.delete(target.channel, target.ts);
    } else if (target !== undefined && boolArg(args, 'replace_original')) {
      const blocks: Json[] | undefined = Array.isArray(args.blocks) ? args.blocks : undefined;
      this.store.update(target.channel, target.ts, { text: stringArg(args, 'text'), blocks }, 'response_url');
    }
    return { status: 200, body: { ok: true } };
  }

  reset(): void {
    this.#targets.clear();
  }
}
