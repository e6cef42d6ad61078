import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { isObject } from '../block-kit-validator';
import type { Json, JsonObject } from '../types';
import { WsConnection } from './ws-connection';
import { acceptKey } from './ws-frame';

/**
 * A bare WebSocket client on node:http, for tests that speak Socket Mode without @slack/socket-mode
 * (Node 20 has no WebSocket client without a flag).
 */
export interface TestWebSocket {
  /** The next JSON message from the server (already-received ones first). */
  next(timeoutMs?: number): Promise<JsonObject>;
  send(message: JsonObject): void;
  ping(): void;
  /** Resolves on the next pong from the server. */
  nextPong(timeoutMs?: number): Promise<void>;
  /** Resolves on the next ping from the server (already answered with a pong). */
  nextPing(timeoutMs?: number): Promise<void>;
  /** Resolves with the close code once the connection is closed. */
  readonly closed: Promise<number | undefined>;
  close(): void;
}

export function connectWebSocket(url: string): Promise<TestWebSocket> {
  const target = new URL(url);
  const key = randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request({
      hostname: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Version': '13',
      },
    });
    req.on('response', (res) => {
      res.resume();
      reject(new Error(`WebSocket upgrade refused with HTTP ${res.statusCode}`));
    });
    req.on('error', reject);
    req.on('upgrade', (res, socket, head) => {
      if (res.headers['sec-websocket-accept'] !== acceptKey(key)) {
        socket.destroy();
        reject(new Error('WebSocket upgrade answered with a wrong Sec-WebSocket-Accept'));
        return;
      }
      resolve(wrap(socket, head));
    });
    req.end();
  });
}

function wrap(socket: Duplex, head: Buffer): TestWebSocket {
  const inbox: JsonObject[] = [];
  const readers: Array<(message: JsonObject) => void> = [];
  const pongWaiters: Array<() => void> = [];
  const pingWaiters: Array<() => void> = [];
  let onClose: (code: number | undefined) => void = () => {};
  const closed = new Promise<number | undefined>((resolve) => {
    onClose = resolve;
  });
  const connection = new WsConnection(
    socket,
    'client',
    {
      text: (text) => {
        const message = JSON.parse(text) as Json;
        if (!isObject(message)) return;
        const reader = readers.shift();
        if (reader === undefined) inbox.push(message);
        else reader(message);
      },
      pong: () => {
        for (const waiter of pongWaiters.splice(0)) waiter();
      },
      ping: () => {
        for (const waiter of pingWaiters.splice(0)) waiter();
      },
      close: (code) => onClose(code),
    },
    head,
  );
  return {
    next: (timeoutMs = 2000) => {
      const queued = inbox.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return withTimeout(timeoutMs, 'message', (done) => unregisterable(readers, done));
    },
    send: (message) => connection.sendText(JSON.stringify(message)),
    ping: () => connection.ping('client'),
    nextPong: (timeoutMs = 2000) =>
      withTimeout<void>(timeoutMs, 'pong', (done) => unregisterable(pongWaiters, () => done())),
    nextPing: (timeoutMs = 2000) =>
      withTimeout<void>(timeoutMs, 'ping', (done) => unregisterable(pingWaiters, () => done())),
    closed,
    close: () => connection.close(1000),
  };
}

/** Adds a listener and returns how to take it back out, so a timed-out reader does not swallow a later message. */
function unregisterable<F>(list: F[], listener: F): () => void {
  list.push(listener);
  return () => {
    const index = list.indexOf(listener);
    if (index >= 0) list.splice(index, 1);
  };
}

function withTimeout<T>(
  timeoutMs: number,
  what: string,
  register: (done: (value: T) => void) => () => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const unregister = register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
    const timer = setTimeout(() => {
      unregister();
      reject(new Error(`no ${what} from the server within ${timeoutMs} ms`));
    }, timeoutMs);
  });
}
