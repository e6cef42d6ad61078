import type { Duplex } from 'node:stream';
import { encodeFrame, FrameDecoder, Opcode } from './ws-frame';

export interface WsConnectionEvents {
  text?: (text: string) => void;
  ping?: () => void;
  pong?: () => void;
  close?: (code: number | undefined) => void;
}

/**
 * A WebSocket over an upgraded socket, either end. Answers pings with pongs and close with close, reassembles
 * fragmented messages, and hands text messages to `events.text`.
 */
export class WsConnection {
  readonly #decoder = new FrameDecoder();
  readonly #mask: boolean;
  #fragments: Buffer[] = [];
  #closed = false;

  constructor(
    private readonly socket: Duplex,
    role: 'server' | 'client',
    private readonly events: WsConnectionEvents,
    head: Buffer = Buffer.alloc(0),
  ) {
    this.#mask = role === 'client';
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => this.#finish(undefined));
    socket.on('error', () => this.#finish(undefined));
    if (head.length > 0) this.#receive(head);
  }

  get open(): boolean {
    return !this.#closed;
  }

  sendText(text: string): void {
    this.#write(Opcode.text, Buffer.from(text, 'utf8'));
  }

  ping(data = ''): void {
    this.#write(Opcode.ping, Buffer.from(data, 'utf8'));
  }

  close(code = 1000, reason = ''): void {
    if (this.#closed) return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2, 'utf8');
    this.#write(Opcode.close, payload);
    this.socket.end();
    this.#finish(code);
  }

  #write(opcode: number, payload: Buffer): void {
    if (this.#closed || this.socket.destroyed) return;
    this.socket.write(encodeFrame(opcode, payload, this.#mask));
  }

  #receive(chunk: Buffer): void {
    for (const frame of this.#decoder.push(chunk)) {
      if (frame.opcode === Opcode.ping) {
        this.#write(Opcode.pong, frame.payload);
        this.events.ping?.();
      } else if (frame.opcode === Opcode.pong) {
        this.events.pong?.();
      } else if (frame.opcode === Opcode.close) {
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
        this.#write(Opcode.close, frame.payload.subarray(0, 2));
        this.socket.end();
        this.#finish(code);
      } else if (frame.opcode === Opcode.text || frame.opcode === Opcode.continuation) {
        this.#fragments.push(frame.payload);
        if (frame.fin) {
          const text = Buffer.concat(this.#fragments).toString('utf8');
          this.#fragments = [];
          this.events.text?.(text);
        }
      }
    }
  }

  #finish(code: number | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.events.close?.(code);
  }
}
