import { createHash, randomBytes } from 'node:crypto';

/** RFC 6455 opcodes. */
export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
}

/** One unfragmented frame. Clients must mask what they send and servers must not (RFC 6455 §5.3). */
export function encodeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (mask ? 4 : 0));
  header.writeUInt8(0x80 | opcode, 0);
  if (lengthBytes === 0) header.writeUInt8(length | (mask ? 0x80 : 0), 1);
  else if (lengthBytes === 2) {
    header.writeUInt8(126 | (mask ? 0x80 : 0), 1);
    header.writeUInt16BE(length, 2);
  } else {
    header.writeUInt8(127 | (mask ? 0x80 : 0), 1);
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + lengthBytes);
  return Buffer.concat([header, xorMask(payload, key)]);
}

function xorMask(payload: Buffer, key: Buffer): Buffer {
  const out = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i += 1) out.writeUInt8(payload.readUInt8(i) ^ key.readUInt8(i % 4), i);
  return out;
}

/** Splits a byte stream into frames; keeps a partial frame until the rest arrives. */
export class FrameDecoder {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const frames: Frame[] = [];
    for (let frame = this.#next(); frame !== undefined; frame = this.#next()) frames.push(frame);
    return frames;
  }

  #next(): Frame | undefined {
    const bytes = this.#buffer;
    if (bytes.length < 2) return undefined;
    const first = bytes.readUInt8(0);
    const second = bytes.readUInt8(1);
    let length = second & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (bytes.length < 4) return undefined;
      length = bytes.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (bytes.length < 10) return undefined;
      length = Number(bytes.readBigUInt64BE(2));
      offset = 10;
    }
    const masked = (second & 0x80) !== 0;
    const keyOffset = offset;
    if (masked) offset += 4;
    if (bytes.length < offset + length) return undefined;
    const body = bytes.subarray(offset, offset + length);
    const payload = masked ? xorMask(body, bytes.subarray(keyOffset, keyOffset + 4)) : Buffer.from(body);
    this.#buffer = bytes.subarray(offset + length);
    return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload };
  }
}
