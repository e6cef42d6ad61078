import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isObject } from '../block-kit-validator';
import type { Json, JsonObject } from '../types';
import { WsConnection } from './ws-connection';
import { acceptKey } from './ws-frame';

export type EnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

export interface SocketModeAck {
  envelope_id: string;
  /** What the app put in its ack (a modal's response_action, a slash command's reply …), if anything. */
  payload?: Json;
}

interface PendingAck {
  resolve: (ack: SocketModeAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Slack's Socket Mode protocol (https://docs.slack.dev/apis/events-api/using-socket-mode): a single-use URL from
 * apps.connections.open, a `hello` on connect, envelopes the app must ack by envelope_id, and pings both ways.
 */
export class SocketModeServer {
  readonly #tickets = new Set<string>();
  readonly #connections: WsConnection[] = [];
  readonly #pending = new Map<string, PendingAck>();
  readonly #connectionWaiters = new Set<() => void>();
  readonly acks: SocketModeAck[] = [];

  constructor(private readonly settings: { appId: string; pingIntervalMs: number; origin: () => string }) {}

  /** A fresh single-use URL, as apps.connections.open hands out. */
  issueUrl(): string {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    const origin = this.settings.origin().replace(/^http/, 'ws');
    return `${origin}/link/?ticket=${ticket}&app_id=${this.settings.appId}`;
  }

  get connectionCount(): number {
    return this.#connections.filter((c) => c.open).length;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const ticket = url.searchParams.get('ticket') ?? '';
    const key = req.headers['sec-websocket-key'];
    if (url.pathname !== '/link/' || !this.#tickets.delete(ticket) || typeof key !== 'string') {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`,
    );
    let pinger: NodeJS.Timeout | undefined;
    const connection = new WsConnection(
      socket,
      'server',
      { text: (text) => this.#onAck(text), close: () => clearInterval(pinger) },
      head,
    );
    // @slack/socket-mode drops a connection that hears no ping from the server for 30 s.
    if (connection.open)
      pinger = setInterval(() => connection.ping('emulator'), this.settings.pingIntervalMs);
    this.#connections.push(connection);
    connection.sendText(
      JSON.stringify({
        type: 'hello',
        num_connections: this.connectionCount,
        debug_info: { host: 'slack-emulator', build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: this.settings.appId },
      }),
    );
    for (const notify of [...this.#connectionWaiters]) notify();
  }

  /** Resolves once a client is connected (immediately if one already is). */
  waitForConnection(timeoutMs = 5000): Promise<void> {
    if (this.connectionCount > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#connectionWaiters.delete(notify);
        reject(new Error(`slack-emulator: no Socket Mode connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const notify = (): void => {
        clearTimeout(timer);
        this.#connectionWaiters.delete(notify);
        resolve();
      };
      this.#connectionWaiters.add(notify);
    });
  }

  /** Sends an envelope to the newest open connection and resolves with the app's ack. */
  dispatch(type: EnvelopeType, payload: JsonObject, timeoutMs = 3000): Promise<SocketModeAck> {
    const connection = this.#connections.filter((c) => c.open).at(-1);
    if (connection === undefined)
      return Promise.reject(new Error('slack-emulator: no Socket Mode connection'));
    const envelopeId = randomUUID();
    const envelope: JsonObject = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
    };
    if (type === 'events_api') Object.assign(envelope, { retry_attempt: 0, retry_reason: '' });
    return new Promise((resolve, reject) => {
      // Slack retries an unacknowledged envelope after 3 s; the emulator reports the missing ack instead.
      const timer = setTimeout(() => {
        this.#pending.delete(envelopeId);
        reject(
          new Error(
            `slack-emulator: envelope ${envelopeId} (${type}) not acknowledged within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(envelopeId, { resolve, reject, timer });
      connection.sendText(JSON.stringify(envelope));
    });
  }

  /** Tells clients to go away, as Slack does before rotating connections, then closes them. */
  disconnectAll(reason: 'warning' | 'refresh_requested' | 'link_disabled' = 'refresh_requested'): void {
    for (const connection of this.#connections.splice(0)) {
      connection.sendText(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'slack-emulator' } }),
      );
      connection.close(1000);
    }
  }

  /** Forgets recorded acks; connections stay open. */
  reset(): void {
    this.acks.length = 0;
  }

  close(): void {
    this.disconnectAll('link_disabled');
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`slack-emulator stopped before envelope ${id} was acknowledged`));
    }
    this.#pending.clear();
    this.#tickets.clear();
  }

  #onAck(text: string): void {
    let message: Json;
    try {
      message = JSON.parse(text) as Json;
    } catch {
      return;
    }
    if (!isObject(message) || typeof message.envelope_id !== 'string') return;
    const ack: SocketModeAck = { envelope_id: message.envelope_id };
    if (message.payload !== undefined) ack.payload = message.payload;
    this.acks.push(ack);
    const pending = this.#pending.get(ack.envelope_id);
    if (pending === undefined) return;
    this.#pending.delete(ack.envelope_id);
    clearTimeout(pending.timer);
    pending.resolve(ack);
  }
}
