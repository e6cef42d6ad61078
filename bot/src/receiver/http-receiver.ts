import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import { checkEnvelope } from './envelope';
import { verifySlackSignature } from './verify-signature';

// Slack gives an app 3 seconds to acknowledge; past that the user sees an error and Slack may retry.
const ACK_TIMEOUT_MS = 3_000;

const text = (status: number, body = '') => new Response(body, { status });
const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

function parseBody(raw: string, contentType: string): unknown {
  if (contentType.startsWith('application/json')) return JSON.parse(raw);
  const form = Object.fromEntries(new URLSearchParams(raw));
  // Interactions arrive as one form field holding JSON; slash commands as plain fields.
  return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
}

/**
 * A Bolt receiver for a route of the server's own HTTP app (`POST /slack/events`): it needs the raw
 * body for the signature, answers Slack's `ssl_check` and `url_verification`, and responds as soon as
 * a listener calls `ack()` while the listener carries on.
 */
export class HttpReceiver implements Receiver {
  #app: App | undefined;
  readonly #secret: string;
  readonly #log: Logger;

  constructor(signingSecret: string, log: Logger) {
    this.#secret = signingSecret;
    this.#log = log;
  }

  init(app: App): void {
    this.#app = app;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  async handle(request: Request): Promise<Response> {
    const raw = await request.text();
    const contentType = request.headers.get('content-type') ?? '';
    if (
      contentType.startsWith('application/x-www-form-urlencoded') &&
      new URLSearchParams(raw).get('ssl_check') === '1'
    ) {
      return text(200); // Slack's certificate probe: unsigned by design, and nothing in it is acted on
    }
    const check = verifySlackSignature(
      this.#secret,
      raw,
      request.headers.get('x-slack-signature') ?? undefined,
      request.headers.get('x-slack-request-timestamp') ?? undefined,
    );
    if (!check.ok) {
      this.#log.warn({ reason: check.reason }, 'refused a Slack request');
      return text(401);
    }
    let parsed: unknown;
    try {
      parsed = parseBody(raw, contentType);
    } catch {
      this.#log.warn({ reason: 'the body is not JSON' }, 'refused a malformed Slack request');
      return text(400);
    }
    const envelope = checkEnvelope(parsed);
    if (!envelope.ok) {
      this.#log.warn({ reason: envelope.reason }, 'refused a malformed Slack request');
      return text(400);
    }
    const body = envelope.body;
    if (body.type === 'url_verification') return json({ challenge: body.challenge });
    const app = this.#app;
    if (!app) return text(503);
    return this.#dispatch(app, body, request.headers);
  }

  #dispatch(app: App, body: Record<string, unknown>, headers: Headers): Promise<Response> {
    return new Promise((resolve) => {
      let acked = false;
      const timer = setTimeout(() => {
        if (!acked) this.#log.error({ type: body.type }, 'a Slack request was not acknowledged within 3 s');
      }, ACK_TIMEOUT_MS);
      const event: ReceiverEvent = {
        body,
        ack: async (response?: unknown) => {
          if (acked) return;
          acked = true;
          clearTimeout(timer);
          resolve(
            response === undefined || response === ''
              ? text(200)
              : typeof response === 'string'
                ? text(200, response)
                : json(response),
          );
        },
        retryNum: Number(headers.get('x-slack-retry-num') ?? 0) || undefined,
        retryReason: headers.get('x-slack-retry-reason') ?? undefined,
      };
      app.processEvent(event).then(
        () => {
          clearTimeout(timer);
          if (!acked) resolve(text(404)); // no listener took it
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.#log.error({ err: error }, 'a Slack listener failed');
          if (!acked) resolve(text(500));
        },
      );
    });
  }
}
