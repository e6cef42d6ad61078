/**
 * The real consoles' host names, served locally over TLS: Chromium maps them to one HTTPS server on
 * 127.0.0.1 (`--host-resolver-rules`) that serves a console page per host and records what reaches
 * the cloud APIs. So the extension meets the default pack's own rules — real URLs, cross-origin calls
 * with their CORS preflights — with nothing leaving the machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hit } from './fixture-console';

export const HOSTS = [
  'portal.azure.com',
  'management.azure.com',
  'eu-west-1.console.aws.amazon.com',
  'console.cloud.google.com',
  'cloudresourcemanager.clients6.google.com',
  'prod-kv.vault.azure.net',
] as const;

export type RealConsoles = {
  /** host → 127.0.0.1:port, for launchWithExtension's hostMap. */
  hostMap: Record<string, string>;
  hits: Hit[];
  hitsTo(fragment: string, method?: string): Hit[];
  stop(): Promise<void>;
};

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>console</title></head><body>
<script>
window.results = {};
window.run = (name, promise) => {
  window.results[name] = { state: 'pending' };
  promise.then(async (r) => { window.results[name] = { state: 'done', status: r.status, body: await r.text(),
      outcome: r.headers.get('x-countersign-outcome') }; },
    (e) => { window.results[name] = { state: 'done', status: 0, body: String(e) }; });
};
</script></body></html>`;

async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-tls-'));
  try {
    const san = HOSTS.map((h) => `DNS:${h}`).join(',');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=countersign-test',
        '-addext',
        `subjectAltName=${san}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: await readFile(join(dir, 'key.pem'), 'utf8'),
      cert: await readFile(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function startRealConsoles(): Promise<RealConsoles> {
  const hits: Hit[] = [];
  const server: Server = createServer(await selfSignedCertificate(), (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const host = (req.headers.host ?? '').split(':')[0] ?? '';
      const path = req.url ?? '/';
      const cors = {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, POST, PUT, DELETE, PATCH',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        'access-control-expose-headers': '*',
      };
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
      if (
        req.method === 'GET' &&
        (path === '/' || path.startsWith('/s3/buckets')) &&
        !host.startsWith('management') &&
        !host.endsWith('.vault.azure.net')
      ) {
        return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      }
      if (path === '/favicon.ico') return void res.writeHead(404).end();
      hits.push({
        method: req.method ?? '',
        path: `https://${host}${path}`,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'application/json', ...cors }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hostMap: Object.fromEntries(HOSTS.map((h) => [h, `127.0.0.1:${port}`])),
    hits,
    hitsTo: (fragment, method) =>
      hits.filter((h) => h.path.includes(fragment) && (!method || h.method === method)),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
