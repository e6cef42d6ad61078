import type { TransportState } from '@countersign/bot';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { Metrics } from '../metrics/metrics';
import { createScimApp } from '../scim/routes';
import type { Core } from '../services/core';
import { authenticate } from '../services/keys/authenticate';
import { registerConsole } from '../web/console';
import type { ConsoleOptions } from '../web/session';
import { bearerToken } from './bearer';
import { bodySize } from './body-size';
import { clientAddress, compileTrust, type TrustProxy } from './client-address';
import type { AppEnv } from './env';
import { errorResponse, toErrorResponse, zodDetails } from './errors';
import { lazyChild } from './lazy-log';
import { methodNotAllowed } from './method-not-allowed';
import { rateLimit } from './rate-limit';
import { registerActionRoutes } from './routes/actions';
import { registerAdminRoutes } from './routes/admin';
import { registerAuditRoutes } from './routes/audit';
import { registerExtensionRoutes } from './routes/extension';
import { registerGrantRoutes } from './routes/grants';
import { registerHealthRoutes } from './routes/health';
import { registerKeyRoutes } from './routes/keys';
import { registerMeRoutes } from './routes/me';
import { registerMetricsRoute } from './routes/metrics';
import { strictJsonBody } from './strict-json-body';

const PAIR_PATH = '/v1/extension/pair';

export type AppOptions = {
  maxBodyBytes: number;
  submitsPerSecond: number;
  /** COUNTERSIGN_TRUST_PROXY: whose X-Forwarded-For names the client; unset, the socket's peer does. */
  trustProxy?: TrustProxy | undefined;
  /** The Slack bot's handler for POST /slack/events, when it runs in HTTP mode. */
  slackEvents?: ((request: Request) => Promise<Response>) | undefined;
  /** The Teams bot's handler for POST /teams/messages. */
  teamsMessages?: ((request: Request) => Promise<Response>) | undefined;
  /** Each chat transport's state, for /readyz (`slack`, later `teams`). */
  transports?: Record<string, () => TransportState> | undefined;
  /** Prometheus metrics: counts every answer, and serves GET /metrics to admin keys. */
  metrics?: Metrics | undefined;
  /** The web console and its sign-in (GET / and below, /auth/*); off when absent. */
  console?: ConsoleOptions | undefined;
};

/** The HTTP edge: parse, authenticate, call one service verb, map the result. No rules live here. */
export function createApp(core: Core, options: AppOptions): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    // Every schema failure anywhere gets the same 400 body, naming the offending fields.
    defaultHook: (result, c) => {
      if (!result.success)
        return errorResponse(c, 'invalid_request', 'the request is not valid', zodDetails(result.error));
    },
  });

  app.use('*', requestId());
  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('log', lazyChild(core.log, { requestId: c.get('requestId') }));
    await next();
    options.metrics?.httpRequest(c.req.method, c.res.status);
    // Checked on the root logger: below info, the request's own logger is never made.
    if (core.log.isLevelEnabled('info'))
      c.get('log').info(
        {
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'request',
      );
  });
  app.onError((err, c) =>
    toErrorResponse(err, c, (e) => (c.var.log ?? core.log).error({ err: e }, 'unhandled error')),
  );
  const wrongMethod = methodNotAllowed(() => app.routes);
  app.notFound(
    (c) => wrongMethod(c) ?? errorResponse(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`),
  );

  registerHealthRoutes(app, core, options.transports ?? {});
  if (options.metrics) registerMetricsRoute(app, core, options.metrics);
  const slackEvents = options.slackEvents;
  if (slackEvents) {
    // Slack's own payloads stay well under 1 MB; the receiver verifies the signature on the raw body.
    app.post('/slack/events', bodyLimit({ maxSize: 1_048_576, onError: (c) => c.text('', 413) }), (c) =>
      slackEvents(c.req.raw),
    );
  }

  const teamsMessages = options.teamsMessages;
  if (teamsMessages) {
    // Bot Framework activities are small; a card's invoke stays well under 1 MB. The handler checks
    // the Bot Framework JWT before anything else.
    app.post('/teams/messages', bodyLimit({ maxSize: 1_048_576, onError: (c) => c.text('', 413) }), (c) =>
      teamsMessages(c.req.raw),
    );
  }

  // SCIM answers in its own error format and takes application/scim+json: its own edge, own key.
  app.route('/scim/v2', createScimApp(core, { maxBodyBytes: options.maxBodyBytes }));

  app.use(
    '/v1/*',
    bodySize(options.maxBodyBytes, (c) =>
      errorResponse(c, 'payload_too_large', `the body is larger than ${options.maxBodyBytes} bytes`),
    ),
  );
  app.use('/v1/*', async (c, next) => {
    // Pairing is how an extension gets its first key: the one-time code is its credential.
    if (c.req.path === PAIR_PATH) return next();
    const token = bearerToken(c.req.header('authorization'));
    if (!token)
      return errorResponse(c, 'unauthenticated', 'send an API key as "Authorization: Bearer <key>"');
    const actor = await authenticate(core, token);
    if (!actor) return errorResponse(c, 'unauthenticated', 'the API key is unknown or revoked');
    c.set('actor', actor);
    c.set('log', lazyChild(core.log, { requestId: c.get('requestId'), actor: actor.id }));
    await next();
  });
  app.use('/v1/*', async (c, next) => {
    // A body is JSON or nothing; a chunked body has no content-length, so look for either.
    const hasBody =
      (c.req.header('content-length') ?? '0') !== '0' || c.req.header('transfer-encoding') !== undefined;
    if (
      c.req.method === 'POST' &&
      hasBody &&
      !/^application\/json\b/i.test(c.req.header('content-type') ?? '')
    ) {
      return errorResponse(c, 'invalid_request', 'the body must be JSON (content-type: application/json)');
    }
    await next();
  });

  // Codes are 50 bits and single-use; the limit makes guessing pointless as well as hopeless. Keyed
  // on the client behind any trusted proxy, or everyone behind one proxy would share one bucket.
  const trust = compileTrust(options.trustProxy);
  app.on('POST', PAIR_PATH, async (c, next) => {
    c.set('clientAddress', clientAddress(c, trust));
    await next();
  });
  app.on(
    'POST',
    PAIR_PATH,
    rateLimit(1, 5, (c) => `pair:${c.var.clientAddress}`),
  );
  // Only submissions are limited: reading and waiting are cheap, and reviews come from people.
  app.on('POST', '/v1/actions', rateLimit(options.submitsPerSecond, options.submitsPerSecond * 2));
  // After the limits: a caller over its budget costs no parse.
  app.use('/v1/*', strictJsonBody());
  registerActionRoutes(app, core);
  registerGrantRoutes(app, core);
  registerAuditRoutes(app, core);
  registerAdminRoutes(app, core);
  registerExtensionRoutes(app, core);
  registerMeRoutes(app);
  registerKeyRoutes(app, core);
  if (options.console) registerConsole(app, core, { ...options.console, trustProxy: options.trustProxy });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Countersign',
      version: '1',
      description:
        'Action-level approvals for AI agents. Every non-2xx answer has the body {error: {code, message, details}} (details empty when no field is at fault). ' +
        'JSON bodies are parsed strictly (400 invalid_request naming the path): no key twice in an object, and ' +
        'every number exactly what a double holds within ±(2^53−1) (1.0, 0.1 fine; 1e-400, 1234567890123456789 not: send them as strings). ' +
        'A query parameter or body field a route does not take is refused the same way, never ignored; a known path under ' +
        'another method is 405 method_not_allowed with Allow.',
    },
  });
  return app;
}
