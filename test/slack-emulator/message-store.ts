import type { Json, JsonObject, MessageRevision, StoredMessage, StoredView } from './types';

interface MutableMessage extends StoredMessage {
  revisions: MessageRevision[];
}

export interface MessageContent {
  text: string | undefined;
  blocks: Json[] | undefined;
}

/** Posted messages (with their edits applied) and open views, as Slack would hold them. */
export class MessageStore {
  readonly #messages = new Map<string, MutableMessage>();
  readonly #views = new Map<string, StoredView>();
  #lastMicros = 0;
  #hashes = 0;

  /** A message ts: "<unix seconds>.<6 digits>", unique and increasing even within one millisecond. */
  nextTs(): string {
    this.#lastMicros = Math.max(Date.now() * 1000, this.#lastMicros + 100);
    const seconds = Math.floor(this.#lastMicros / 1_000_000);
    return `${seconds}.${String(this.#lastMicros % 1_000_000).padStart(6, '0')}`;
  }

  nextHash(): string {
    this.#hashes += 1;
    return `${Math.floor(Date.now() / 1000)}.${this.#hashes.toString(16).padStart(8, '0')}`;
  }

  post(message: Omit<StoredMessage, 'revisions' | 'deleted'>): StoredMessage {
    const revision: MessageRevision = {
      text: message.text,
      blocks: message.blocks,
      at: new Date(),
      via: 'chat.postMessage',
    };
    const stored: MutableMessage = { ...message, deleted: false, revisions: [revision] };
    this.#messages.set(key(message.channel, message.ts), stored);
    return stored;
  }

  get(channel: string, ts: string): StoredMessage | undefined {
    return this.#messages.get(key(channel, ts));
  }

  /** Applies an edit the way chat.update does: fields left out keep their previous value. */
  update(
    channel: string,
    ts: string,
    content: MessageContent,
    via: MessageRevision['via'],
  ): StoredMessage | undefined {
    const message = this.#messages.get(key(channel, ts));
    if (message === undefined || message.deleted) return undefined;
    message.text = content.text ?? message.text;
    message.blocks = content.blocks ?? message.blocks;
    message.revisions.push({ text: message.text, blocks: message.blocks, at: new Date(), via });
    return message;
  }

  delete(channel: string, ts: string): boolean {
    const message = this.#messages.get(key(channel, ts));
    if (message === undefined || message.deleted) return false;
    message.deleted = true;
    return true;
  }

  get messages(): readonly StoredMessage[] {
    return [...this.#messages.values()];
  }

  saveView(view: StoredView): void {
    this.#views.set(view.id, view);
  }

  view(id: string): StoredView | undefined {
    return this.#views.get(id);
  }

  findView(match: (view: StoredView) => boolean): StoredView | undefined {
    return [...this.#views.values()].find(match);
  }

  get views(): readonly StoredView[] {
    return [...this.#views.values()];
  }

  reset(): void {
    this.#messages.clear();
    this.#views.clear();
  }
}

function key(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

/** The `message` object chat.postMessage and chat.update answer with. */
export function messageObject(message: StoredMessage, appId: string, teamId: string): JsonObject {
  const body: JsonObject = {
    type: 'message',
    text: message.text,
    user: message.user,
    bot_id: message.botId,
    app_id: appId,
    team: teamId,
    ts: message.ts,
  };
  if (message.blocks !== undefined) body.blocks = message.blocks;
  if (message.threadTs !== undefined) body.thread_ts = message.threadTs;
  return body;
}
