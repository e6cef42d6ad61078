import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FaultQueue } from './faults';
import { fail, type MethodContext, type MethodTable, type TokenKind } from './methods/method-context';
import type { Recorder } from './recorder';
import { parseRequest } from './request';
import type { ResponseUrls } from './response-urls';
import type { SocketModeServer } from './socket-mode/socket-mode-server';
import type { JsonObject, RecordedCall, ResolvedOptions } from './types';

export interface ServerDeps {
  options: ResolvedOptions;
  methods: MethodTable;
  recorder: Recorder;
  faults: FaultQueue;
  responseUrls: ResponseUrls;
  socketMode: SocketModeServer;
  context: (args: JsonObject) => MethodContext;
}

interface Reply {
  status: number;
  body: JsonObject;
  headers?: Record<string, string>;
}

/** Starts the HTTP server on 127.0.0.1 and resolves once it listens. */
export async function listen(deps: ServerDeps): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    route(deps, req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      send(res, { status: 500, body: { ok: false, error: 'internal_error', emulator_error: message } });
    });
  });
  server.on('upgrade', (req, socket, head) => deps.socketMode.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('slack-emulator: server has no TCP address');
  return { server, origin: `http://127.0.0.1:${address.port}` };
}

async function route(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const api = /^\/api\/([A-Za-z0-9._]+)$/.exec(url.pathname);
  const responseUrl = /^\/response-url\/([^/]+)$/.exec(url.pathname);
  if (api?.[1] !== undefined && (req.method === 'POST' || req.method === 'GET')) {
    await handleApiCall(deps, api[1], req, url, res);
  } else if (responseUrl?.[1] !== undefined && req.method === 'POST') {
    await handleResponseUrl(deps, decodeURIComponent(responseUrl[1]), req, url, res);
  } else {
    send(res, { status: 404, body: { ok: false, error: 'not_found' } });
  }
}

async function handleApiCall(
  deps: ServerDeps,
  method: string,
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const parsed = await parseRequest(req, url);
  const reply = (): Reply => {
    const spec = deps.methods[method];
    if (spec === undefined) return { status: 200, body: fail('unknown_method') };
    const fault = deps.faults.take(method);
    if (fault !== undefined && !fault.afterHandling) return fault;
    if (parsed.error !== undefined) return { status: 200, body: fail(parsed.error) };
    const denied = authenticate(deps.options, parsed.token, spec.token);
    if (denied !== undefined) return { status: 200, body: denied };
    const body = spec.handle(deps.context(parsed.args));
    return fault ?? { status: 200, body };
  };
  const result = reply();
  record(deps, { method, args: parsed.args, token: parsed.token, contentType: parsed.contentType }, result);
  send(res, result);
}

async function handleResponseUrl(
  deps: ServerDeps,
  id: string,
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const parsed = await parseRequest(req, url);
  const fault = deps.faults.take('response_url');
  const result: Reply = fault ?? deps.responseUrls.handle(id, parsed.args);
  const call = {
    method: 'response_url',
    args: parsed.args,
    token: parsed.token,
    contentType: parsed.contentType,
  };
  record(deps, { ...call, responseUrlId: id }, result);
  send(res, result);
}

/** Slack's answers: no token → not_authed, unknown token → invalid_auth, wrong kind → not_allowed_token_type. */
function authenticate(
  options: ResolvedOptions,
  token: string | undefined,
  needed: TokenKind,
): JsonObject | undefined {
  if (token === undefined) return fail('not_authed');
  const kind: TokenKind | undefined =
    token === options.botToken ? 'bot' : token === options.appToken ? 'app' : undefined;
  if (kind === undefined) return fail('invalid_auth');
  return kind === needed ? undefined : fail('not_allowed_token_type');
}

type CallInput = Pick<RecordedCall, 'method' | 'args' | 'token' | 'contentType'> & { responseUrlId?: string };

// Recorded before the response is written, so a test awaiting waitFor() sees the emulator's state updated.
function record(deps: ServerDeps, call: CallInput, result: Reply): void {
  deps.recorder.record({
    ...call,
    seq: deps.recorder.nextSeq(),
    at: new Date(),
    status: result.status,
    response: result.body,
  });
}

function send(res: ServerResponse, { status, body, headers = {} }: Reply): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
