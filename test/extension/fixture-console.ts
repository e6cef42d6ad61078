/**
 * Fixture console pages on 127.0.0.1 that send what the real consoles send (shapes from
 * shared/research/console-traffic.md and the default pack's recorded requests): an ARM role
 * assignment PUT, a listKeys POST, the S3 console's proxy envelope by XMLHttpRequest, plain reads.
 * The backend records every request that reaches it, so a test can tell "sent exactly once" from
 * "never left the browser".
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { portalPage } from './fixture-portal';

export type Hit = { method: string; path: string; body: string };

export type FixtureConsole = {
  origin: string;
  port: number;
  hits: Hit[];
  hitsTo(fragment: string, method?: string): Hit[];
  stop(): Promise<void>;
};

export const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000aa';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Fixture console</title></head>
<body>
<h1>Fixture console</h1>
<aside id="amazon-q-panel"><p>Amazon Q</p><button id="q-apply">Apply suggested bucket policy</button></aside>
<button id="human-apply">Apply bucket policy</button>
<form id="keys-form" method="post"><input name="reason" value="rotate"><button id="keys-submit">Show keys</button></form>
<script>
const SUB = '${SUBSCRIPTION}';
const roleUrl = (id) => '/subscriptions/' + SUB + '/providers/Microsoft.Authorization/roleAssignments/' + id + '?api-version=2022-04-01';
const listKeysUrl = '/subscriptions/' + SUB + '/resourceGroups/rg-prod/providers/Microsoft.Storage/storageAccounts/acct1/listKeys?api-version=2023-01-01';
document.getElementById('keys-form').action = listKeysUrl;
const answer = async (r) => ({ status: r.status, body: await r.text(), outcome: r.headers.get('x-countersign-outcome') });
const failed = (e) => ({ status: 0, body: String(e && e.message || e) });
window.results = {};
window.run = (name, promise) => {
  window.results[name] = { state: 'pending' };
  promise.then((r) => { window.results[name] = { state: 'done', ...r }; },
               (e) => { window.results[name] = { state: 'done', ...failed(e) }; });
};
// The S3 console's proxy envelope, by XMLHttpRequest from \`win\` (this page, or a frame of it).
function s3ProxyIn(win, op, bucket, abortAfterMs) {
  return new Promise((resolve) => {
    const x = new win.XMLHttpRequest();
    x.open('POST', '/s3/proxy');
    x.setRequestHeader('content-type', 'application/json');
    x.onload = () => resolve({ status: x.status, body: x.responseText, outcome: x.getResponseHeader('x-countersign-outcome') });
    x.onerror = () => resolve({ status: 0, body: 'network error' });
    x.onabort = () => resolve({ status: 0, body: 'aborted' });
    x.send(JSON.stringify({ method: 'PUT', path: '/' + bucket, headers: { 'x-amz-s3-console-op-name': op },
      region: 'eu-west-1', params: {}, contentString: '{"Version":"2012-10-17","Statement":[]}', operation: op }));
    if (abortAfterMs) setTimeout(() => x.abort(), abortAfterMs);
  });
}
const s3Proxy = (op) => s3ProxyIn(window, op, 'fixture-bucket');
function freshFrame() {
  const f = document.createElement('iframe');
  document.body.append(f);
  return f.contentWindow;
}
window.consoleActions = {
  assignRole: (id) => fetch(roleUrl(id), { method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ properties: { roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/owner', principalId: 'p-1' } }) }).then(answer, failed),
  list: () => fetch('/api/list?x=1').then(answer, failed),
  write: () => fetch('/api/settings', { method: 'POST', body: '{"theme":"dark"}' }).then(answer, failed),
  s3Proxy,
  iframeFetch: (id) => freshFrame().fetch(roleUrl(id), { method: 'PUT', body: '{}' }).then(answer, failed),
  iframeRelativeXhr: () => s3ProxyIn(freshFrame(), 'PutBucketPolicy', 'frame-bucket'),
  abortedXhr: (ms) => s3ProxyIn(window, 'PutBucketPolicy', 'frame-bucket', ms),
  workerFetch: (id) => new Promise((resolve) => {
    const w = new Worker('/worker.js');
    w.onmessage = (e) => resolve(e.data);
    w.postMessage(new URL(roleUrl(id), location.href).href);
  }),
};
document.getElementById('q-apply').addEventListener('click', () => window.run('copilot', s3Proxy('PutBucketPolicy')));
document.getElementById('human-apply').addEventListener('click', () => window.run('human', s3Proxy('PutBucketPolicy')));
</script>
</body></html>`;

// Loaded by a browser we cannot drive (Firefox under web-ext): the page reports what happened itself.
const AUTO = `<!doctype html><html><head><meta charset="utf-8"><title>Auto</title></head><body><script>
(async () => {
  const report = (what) => fetch('/report?' + new URLSearchParams(what));
  try {
    const list = await fetch('/api/list?auto=1');
    const vm = await fetch('https://management.azure.com/subscriptions/s-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1?api-version=2024-03-01', { method: 'DELETE' });
    await report({ list: list.status, status: vm.status, outcome: vm.headers.get('x-countersign-outcome'), body: await vm.text() });
  } catch (e) {
    await report({ error: String(e) });
  }
})();
</script></body></html>`;

const WORKER = `onmessage = (e) => fetch(e.data, { method: 'PUT', body: '{}' })
  .then((r) => postMessage({ status: r.status }), (err) => postMessage({ status: 0, body: String(err) }));`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFixtureConsole(): Promise<FixtureConsole> {
  const hits: Hit[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    if (req.method === 'GET' && url.pathname === '/console') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/portal') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(portalPage(SUBSCRIPTION));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/auto') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(AUTO);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/worker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(WORKER);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    hits.push({ method: req.method ?? '', path: `${url.pathname}${url.search}`, body });
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ok: true, path: url.pathname }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    hits,
    hitsTo: (fragment, method) =>
      hits.filter((h) => h.path.includes(fragment) && (method === undefined || h.method === method)),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A policy whose console rules name the fixture's origin, in the default pack's shapes: the ARM role
 * assignment and listKeys (method and URL: the network backstop enforces them) and the S3 proxy
 * envelope (a body rule: only the page hook can hold it).
 */
export function fixturePolicy(port: number, extra = ''): string {
  const origin = `http://127.0.0.1\\\\:${port}`;
  return `
version: 1
groups:
  sre: [alice@example.com, bob@example.com]
consoles:
  - name: fixture-azure-role-assignment
    match:
      method: PUT
      url: "${origin}/subscriptions/:subscription/providers/Microsoft.Authorization/roleAssignments/:id"
    action: azure.authorization.roleAssignments.write
    resource: "/subscriptions/{subscription}/providers/Microsoft.Authorization/roleAssignments/{id}"
    environment: "{subscription}"
  - name: fixture-azure-list-keys
    match:
      method: POST
      url: "${origin}/subscriptions/:subscription/resourceGroups/:group/providers/Microsoft.Storage/storageAccounts/:account/listKeys"
    action: azure.storage.storageAccounts.listKeys.action
    resource: "{group}/{account}"
  - name: fixture-aws-s3-put-bucket-policy
    match:
      method: POST
      url: "${origin}/s3/proxy"
      body: { headers: { x-amz-s3-console-op-name: PutBucketPolicy } }
    action: aws.s3.PutBucketPolicy
    resource: "s3{body.path}"
    environment: "{body.region}"
rules:
  - name: copilot-bucket-policy
    match: { action: aws.s3.PutBucketPolicy, initiator: "copilot:*" }
    effect: review
    approvers: [sre]
    channel: "#ops-approvals"
  - name: quick-expiry
    match: { action: azure.authorization.roleAssignments.write, resource: "**/roleAssignments/expire-*" }
    effect: review
    approvers: [sre]
    timeout: 2s
  - name: console-changes
    match: { source: extension }
    effect: review
    approvers: [sre]
    channel: "#ops-approvals"
    timeout: 10m
${extra}
default: { effect: allow }
`;
}
