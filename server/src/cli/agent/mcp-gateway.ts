import type { Countersign } from '@countersign/shared/sdk';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { holdCall } from './mcp-hold';
import { OwnRequests } from './mcp-own-requests';
import { callAction, ToolCatalog } from './mcp-tools';

export type GatewayOptions = {
  client: Countersign;
  /** The `<name>` in `mcp.<name>.<tool>`; by default the real server's own name. */
  name: string | undefined;
  command: [string, ...string[]];
  env: Record<string, string>;
  heartbeatMs: number;
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Stands between an MCP client (on our stdio) and the real MCP server (a child process). Messages pass
 * through unchanged, except `tools/call`: it is held until Countersign approves that exact call, and
 * answered with an error result (the real tool never called) when it does not.
 */
export class McpGateway {
  readonly #options: GatewayOptions;
  readonly #upstream = new StdioServerTransport();
  readonly #downstream: StdioClientTransport;
  readonly #catalog = new ToolCatalog();
  readonly #own: OwnRequests;
  readonly #held = new Map<RequestId, { abort: AbortController; done: Promise<void> }>();
  readonly #listing = new Map<RequestId, boolean>();
  #initializeId: RequestId | undefined;
  #serverName: string | undefined;
  #closing = false;
  #finish: (code: number) => void = () => undefined;
  readonly finished = new Promise<number>((resolve) => {
    this.#finish = resolve;
  });

  constructor(options: GatewayOptions) {
    this.#options = options;
    const [command, ...args] = options.command;
    this.#downstream = new StdioClientTransport({ command, args, env: options.env, stderr: 'inherit' });
    this.#own = new OwnRequests((message) => this.#toServer(message));
  }

  async start(): Promise<void> {
    this.#downstream.onmessage = (message) => this.#fromServer(message);
    this.#downstream.onerror = (error) =>
      process.stderr.write(`countersign mcp: MCP server: ${error.message}\n`);
    this.#downstream.onclose = () => {
      if (!this.#closing) process.stderr.write('countersign mcp: the MCP server exited\n');
      void this.close(this.#closing ? 0 : 1);
    };
    this.#upstream.onmessage = (message) => this.#fromClient(message);
    this.#upstream.onerror = (error) => process.stderr.write(`countersign mcp: client: ${error.message}\n`);
    await this.#downstream.start();
    await this.#upstream.start();
    // The client hung up: nothing is waiting for held calls any more.
    process.stdin.once('end', () => void this.close(0));
  }

  /** Withdraws held calls, stops the real server, and settles `finished`. */
  async close(code: number): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    for (const held of this.#held.values()) held.abort.abort();
    await Promise.allSettled([...this.#held.values()].map((held) => held.done));
    await this.#downstream.close().catch(() => undefined);
    await this.#upstream.close().catch(() => undefined);
    this.#finish(code);
  }

  #toServer(message: JSONRPCMessage): void {
    this.#downstream.send(message).catch((error: Error) => {
      process.stderr.write(`countersign mcp: cannot reach the MCP server: ${error.message}\n`);
    });
  }

  #toClient(message: JSONRPCMessage): void {
    void this.#upstream.send(message);
  }

  #fromClient(message: JSONRPCMessage): void {
    if (isJSONRPCRequest(message)) {
      if (message.method === 'tools/call') {
        this.#hold(message);
        return;
      }
      if (message.method === 'tools/list')
        this.#listing.set(message.id, message.params?.cursor === undefined);
      if (message.method === 'initialize') this.#initializeId = message.id;
    } else if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      // A held call never reached the real server: withdraw it here and answer nothing, as MCP asks.
      const held = this.#held.get(message.params?.requestId as RequestId);
      if (held) {
        held.abort.abort();
        return;
      }
    }
    this.#toServer(message);
  }

  #fromServer(message: JSONRPCMessage): void {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      if (message.id !== undefined && this.#own.settle(message)) return;
      const result = 'result' in message ? message.result : undefined;
      const firstPage = message.id === undefined ? undefined : this.#listing.get(message.id);
      if (firstPage !== undefined && message.id !== undefined) {
        this.#listing.delete(message.id);
        this.#catalog.learn(result, firstPage);
      }
      if (message.id === this.#initializeId && isObject(result) && isObject(result.serverInfo)) {
        const name = result.serverInfo.name;
        this.#serverName = typeof name === 'string' && name !== '' ? name : undefined;
      }
    } else if (isJSONRPCNotification(message) && message.method === 'notifications/tools/list_changed') {
      this.#catalog.invalidate();
    }
    this.#toClient(message);
  }

  #hold(message: JSONRPCRequest): void {
    const params = message.params ?? {};
    const tool = params.name;
    const args = params.arguments;
    if (typeof tool !== 'string' || (args !== undefined && !isObject(args))) {
      const error = { code: -32602, message: 'tools/call needs a tool name and an arguments object' };
      this.#toClient({ jsonrpc: '2.0', id: message.id, error });
      return;
    }
    const abort = new AbortController();
    const progressToken = isObject(params._meta) ? params._meta.progressToken : undefined;
    let progress = 0;
    const onWaiting =
      typeof progressToken === 'string' || typeof progressToken === 'number'
        ? (text: string) =>
            this.#toClient({
              jsonrpc: '2.0',
              method: 'notifications/progress',
              params: { progressToken, progress: ++progress, message: `Countersign: ${text}` },
            })
        : undefined;
    const decide = async () => {
      const annotations = await this.#annotations(tool);
      const name = this.#options.name ?? this.#serverName ?? 'server';
      const action = callAction(name, tool, args, annotations);
      const verdict = await holdCall(this.#options.client, tool, action, {
        signal: abort.signal,
        heartbeatMs: this.#options.heartbeatMs,
        ...(onWaiting && { onWaiting }),
      });
      this.#held.delete(message.id);
      if (verdict.run) return this.#toServer(message);
      if ('text' in verdict) this.#refuse(message.id, verdict.text);
    };
    // A bug of ours must not crash the gateway, nor let the call through: answer it as refused.
    const done = decide().catch((error: unknown) => {
      this.#held.delete(message.id);
      this.#refuse(message.id, `The Countersign gateway failed (${String(error)}). The tool was not run.`);
    });
    this.#held.set(message.id, { abort, done });
  }

  /** An MCP tool error result: the model reads why, and may explain or change course. */
  #refuse(id: RequestId, text: string): void {
    const result = { content: [{ type: 'text', text }], isError: true };
    this.#toClient({ jsonrpc: '2.0', id, result });
  }

  /** The tool's hints, from the last tools/list; asks the real server itself when it has not been listed. */
  async #annotations(tool: string): Promise<Record<string, unknown> | undefined> {
    if (!this.#catalog.knows(tool)) {
      let cursor: unknown;
      for (let page = 0; page < 20 && (page === 0 || typeof cursor === 'string'); page++) {
        const result = await this.#own
          .ask('tools/list', typeof cursor === 'string' ? { cursor } : {})
          .catch(() => undefined);
        if (!isObject(result)) break;
        this.#catalog.learn(result, page === 0);
        cursor = result.nextCursor;
      }
    }
    return this.#catalog.annotationsOf(tool);
  }
}
