import type { ActionRequest } from '@countersign/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness';
import { compileConsoleRules, networkBackstopRules } from '../../shared/src/consoles/index';
import { packRules } from '../../shared/test/consoles/pack';
import { urlPattern } from '../../shared/test/consoles/url-pattern';
import { type ExtensionBrowser, launchWithExtension, settled, waitForCard } from './chromium';
import { type RealConsoles, startRealConsoles } from './real-consoles';

// No consoles of its own: the server serves the default pack (packs/consoles.default.yaml).
const POLICY = `
version: 1
groups:
  sre: [alice@example.com]
rules:
  - name: console-changes
    match: { source: extension }
    effect: review
    approvers: [sre]
    channel: "#ops-approvals"
default: { effect: allow }
`;

let consoles: RealConsoles;
let server: TestServer;
let browser: ExtensionBrowser;
let personKey: string;
let approverKey: string;

beforeAll(async () => {
  consoles = await startRealConsoles();
  server = await startTestServer({ policy: POLICY });
  personKey = await server.userKey('dave@example.com', ['actions:write']);
  approverKey = await server.userKey('alice@example.com', ['reviews:write']);
  browser = await launchWithExtension({ hostMap: consoles.hostMap });
  expect(await browser.pair(server.url, personKey)).toBe('Paired as dave@example.com.');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await consoles?.stop();
});

async function pending(action: string): Promise<ActionRequest> {
  for (let i = 0; i < 100; i++) {
    const list = await server.call<{ items: ActionRequest[] }>('GET', '/v1/actions?status=pending', {
      key: personKey,
    });
    const found = list.body.items.find((r) => r.action === action);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no pending ${action}`);
}

const SUB = '11111111-2222-3333-4444-555555555555';

const CASES = [
  {
    console: 'the Azure portal: an ARM role assignment, cross-origin',
    page: 'https://portal.azure.com/',
    call: `fetch('https://management.azure.com/subscriptions/${SUB}/resourceGroups/rg-prod/providers/Microsoft.Authorization/roleAssignments/9f1c?api-version=2022-04-01', { method: 'PUT', credentials: 'include', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ properties: { roleDefinitionId: 'owner', principalId: 'p-1' } }) })`,
    expected: {
      action: 'azure.authorization.roleAssignments.write',
      environment: SUB,
      context: {
        rule: 'azure-role-assignment-write',
        console: 'azure',
        pageUrl: 'https://portal.azure.com/',
      },
    },
    sent: ['management.azure.com/subscriptions', 'PUT'],
  },
  {
    console: 'the AWS console: PutBucketPolicy in the S3 proxy envelope',
    page: 'https://eu-west-1.console.aws.amazon.com/s3/buckets',
    call: `fetch('/s3/proxy', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'PUT', path: '/prod-logs', headers: { 'x-amz-s3-console-op-name': 'PutBucketPolicy' }, region: 'eu-west-1', params: { policy: '' }, contentString: '{"Statement":[]}', operation: 'putBucketPolicy' }) })`,
    expected: {
      action: 'aws.s3.PutBucketPolicy',
      resource: 's3/prod-logs',
      environment: 'eu-west-1',
      context: { rule: 'aws-s3-put-bucket-policy-proxy', console: 'aws' },
    },
    sent: ['/s3/proxy', 'POST'],
  },
  {
    console: 'the Google Cloud console: setIamPolicy on clients6',
    page: 'https://console.cloud.google.com/',
    call: `fetch('https://cloudresourcemanager.clients6.google.com/v1/projects/acme-prod:setIamPolicy?key=AIza-test', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ policy: { bindings: [{ role: 'roles/owner', members: ['user:x@example.com'] }] } }) })`,
    expected: {
      action: 'gcp.resourcemanager.projects.setIamPolicy',
      environment: 'acme-prod',
      context: { rule: 'gcp-project-set-iam-policy', console: 'gcp' },
    },
    sent: [':setIamPolicy', 'POST'],
  },
] as const;

describe('the default console pack, under the consoles’ real host names', () => {
  for (const c of CASES) {
    it(`holds ${c.console}, then sends it once when approved`, async () => {
      const page = await browser.context.newPage();
      await page.goto(c.page);
      await page.evaluate(`window.run('action', ${c.call})`);
      const held = await pending(c.expected.action);
      expect(held).toMatchObject({ ...c.expected, source: 'extension' });
      await waitForCard(page, (card) => card.state === 'waiting' && card.text.includes(c.expected.action));
      expect(consoles.hitsTo(c.sent[0])).toEqual([]);
      await server.call('POST', `/v1/actions/${held.id}/reviews`, {
        key: approverKey,
        body: { decision: 'approve' },
      });
      expect(await settled(page, 'action')).toMatchObject({ status: 200 });
      expect(consoles.hitsTo(c.sent[0], c.sent[1])).toHaveLength(1);
      await page.close();
    });
  }
});

/** Runs a fetch in a dedicated worker of `page` (workers get no page hook): its status, or 0 and the error. */
const fromWorker = (page: Page, url: string, method: string) =>
  page.evaluate(
    ([target, verb]) =>
      new Promise((resolve) => {
        const code = `onmessage = (e) => fetch(e.data.url, { method: e.data.method, body: e.data.method === 'GET' ? undefined : '{}' }).then((r) => postMessage({ status: r.status }), (err) => postMessage({ status: 0, body: String(err) }));`;
        const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
        worker.onmessage = (e) => resolve(e.data);
        worker.postMessage({ url: target, method: verb });
      }),
    [url, method],
  );

const BLOCKED = { status: 0, body: expect.stringContaining('Failed to fetch') };

describe('the default pack’s network backstop, under the real host names', () => {
  it('blocks an ARM role assignment sent from a worker, around the page hook', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://portal.azure.com/');
    const url = `https://management.azure.com/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/worker-1?api-version=2022-04-01`;
    // The same URL read with GET (no rule) reaches the API from the worker: CORS and TLS are fine.
    expect(await fromWorker(page, url, 'GET')).toEqual({ status: 200 });
    expect(await fromWorker(page, url, 'PUT')).toMatchObject(BLOCKED);
    expect(consoles.hitsTo('roleAssignments/worker-1', 'GET')).toHaveLength(1);
    expect(consoles.hitsTo('roleAssignments/worker-1', 'PUT')).toEqual([]);
    await page.close();
  });

  it('gives every rule the pack names by method and URL alone a block rule in Chromium', async () => {
    const urlOnly = networkBackstopRules(compileConsoleRules(packRules(), { URLPattern: urlPattern() }));
    expect(urlOnly.map((r) => r.rule)).toContain('azure-keyvault-secret-get');
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    await popup.waitForFunction(() => document.getElementById('rules')?.textContent?.includes('sha256:'));
    // The rules version is a hash: it never wraps mid-word, however narrow the popup.
    const versionLines = await popup.evaluate(() => {
      const code = document.querySelector('#rules code');
      return code ? code.getClientRects().length : 0;
    });
    expect(versionLines).toBe(1);
    // The popup says how many rules are blocked at the network layer, and names none left without.
    expect(await popup.textContent('#backstop')).toBe(
      `${urlOnly.length} rules blocked at the network layer too` +
        'Blocked more broadly than the rule (any length where it counts): azure-keyvault-secret-get',
    );
    await popup.close();
  });

  it('blocks a Key Vault secret read from a worker (a 32-hex version RE2 cannot afford exactly)', async () => {
    const page = await browser.context.newPage();
    await page.goto('https://portal.azure.com/');
    const vault = 'https://prod-kv.vault.azure.net/secrets/db-password';
    const version = '0123456789abcdef0123456789abcdef';
    expect(await fromWorker(page, `${vault}?api-version=7.4`, 'GET')).toMatchObject(BLOCKED);
    expect(await fromWorker(page, `${vault}/${version}?api-version=7.4`, 'GET')).toMatchObject(BLOCKED);
    // Listing a secret's versions reads no value: no rule names it, and the broader block lets it be.
    expect(await fromWorker(page, `${vault}/versions?api-version=7.4`, 'GET')).toEqual({ status: 200 });
    expect(consoles.hitsTo('vault.azure.net/secrets/db-password/versions', 'GET')).toHaveLength(1);
    expect(consoles.hitsTo('vault.azure.net/secrets/db-password?', 'GET')).toEqual([]);
    expect(consoles.hitsTo(`vault.azure.net/secrets/db-password/${version}`, 'GET')).toEqual([]);
    await page.close();
  });
});
