import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';

type Response = Extract<JSONRPCMessage, { id: unknown; result: unknown } | { error: unknown }>;

// A prefix no client picks by chance, so the real server's answers to us are never taken for theirs.
const PREFIX = 'countersign-gateway-';
const TIMEOUT_MS = 5_000;

/** Requests the gateway itself sends to the real server (to learn tool hints), and their answers. */
export class OwnRequests {
  readonly #send: (message: JSONRPCRequest) => void;
  readonly #waiting = new Map<string, (response: Response) => void>();
  #seq = 0;

  constructor(send: (message: JSONRPCRequest) => void) {
    this.#send = send;
  }

  ask(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = `${PREFIX}${++this.#seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`${method}: no answer within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      this.#waiting.set(id, (response) => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        if ('result' in response) resolve(response.result);
        else reject(new Error(response.error.message));
      });
      this.#send({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** Takes the answer to one of our requests; false when it answers someone else's. */
  settle(response: Response): boolean {
    if (typeof response.id !== 'string' || !response.id.startsWith(PREFIX)) return false;
    const waiter = this.#waiting.get(response.id);
    waiter?.(response);
    return true;
  }
}
