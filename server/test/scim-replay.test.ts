import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditEvents, serverForTest } from './harness';
import { scim, scimKey } from './scim-harness';

type Step = {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  status: number;
  save?: string;
  expect?: unknown;
  audit?: string;
  absent?: string;
};

const fixture = (vendor: string): { steps: Step[] } =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', 'scim', `${vendor}.json`), 'utf8'));

/** `{{name}}` replaced by the id a saved step was answered with, anywhere in a string or object. */
const fill = (value: unknown, ids: Map<string, string>): unknown =>
  JSON.parse(
    JSON.stringify(value ?? null).replace(/\{\{(\w+)\}\}/g, (_, name: string) => ids.get(name) ?? `?${name}`),
  );

describe.each(['okta', 'entra'])('the recorded %s provisioning sequence', (vendor) => {
  it('is answered as the provider expects, each change audited with the SCIM request id', async (test) => {
    const t = await serverForTest(test);
    const key = await scimKey(t, vendor);
    const auditor = await t.userKey('audra@example.com', ['audit:read']);
    const ids = new Map<string, string>();
    for (const step of fixture(vendor).steps) {
      const path = fill(step.path, ids) as string;
      const reply = await scim(
        t,
        key,
        step.method,
        path,
        step.body === undefined ? undefined : fill(step.body, ids),
      );
      const shown = `${step.name}: ${reply.status} ${JSON.stringify(reply.body)}`;
      expect(reply.status, shown).toBe(step.status);
      if (reply.status !== 204) expect(reply.type, shown).toMatch(/^application\/scim\+json/);
      if (step.expect !== undefined)
        expect(reply.body, shown).toMatchObject(fill(step.expect, ids) as object);
      if (step.absent !== undefined) {
        const [list, index, attr] = step.absent.split('.');
        const item = (reply.body as Record<string, unknown[]>)[list ?? '']?.[Number(index)] as Record<
          string,
          unknown
        >;
        expect(item, shown).not.toHaveProperty(attr ?? '');
      }
      if (step.save !== undefined) ids.set(step.save, String((reply.body as { id: unknown }).id));
      if (step.audit !== undefined) {
        const [last] = (await auditEvents(t, auditor, `type=${step.audit}`)).slice(-1);
        expect(last, shown).toMatchObject({
          actor: `scim:${vendor}`,
          data: { scimRequest: expect.any(String) },
        });
      }
    }
  });
});

describe('the SCIM edge', () => {
  it('refuses a missing key, a non-SCIM key, and a SCIM key on /v1', async (test) => {
    const t = await serverForTest(test);
    const key = await scimKey(t, 'okta');
    const admin = await t.userKey('root@example.com', ['admin']);
    expect((await scim(t, 'nope', 'GET', '/Users')).status).toBe(401);
    const wrong = await scim(t, admin, 'GET', '/Users');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
    });
    expect((await t.call('GET', '/v1/actions', { key })).status).toBe(401);
    expect((await t.call('POST', '/v1/admin/policy/reload', { key })).status).toBe(401);
  });

  it('parses bodies strictly and answers bad input in SCIM error format, never a 500', async (test) => {
    const t = await serverForTest(test);
    const key = await scimKey(t, 'okta');
    const dup = await scim(
      t,
      key,
      'POST',
      '/Users',
      '{"userName":"a@example.com","userName":"b@example.com"}',
    );
    expect(dup).toMatchObject({ status: 400, body: { status: '400', scimType: 'invalidSyntax' } });
    const broken = await scim(t, key, 'POST', '/Users', '{"userName":');
    expect(broken.status).toBe(400);
    const filter = await scim(t, key, 'GET', '/Users?filter=userName%20eq');
    expect(filter).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
    const badOp = await scim(t, key, 'PATCH', '/Users/usr_x', { Operations: [{ op: 'move', path: 'a' }] });
    expect(badOp).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
    const lookalike = await scim(t, key, 'POST', '/Users', {
      userName: 'kim@example.com',
      emails: [{ value: '\u212Aim@example.com', primary: true }],
    });
    expect(lookalike.status).toBe(403);
    expect(JSON.stringify(lookalike.body)).toContain('identity_unusable');
    const unknownMember = await scim(t, key, 'POST', '/Groups', {
      displayName: 'X',
      members: [{ value: 'usr_nobody' }],
    });
    expect(unknownMember).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas'])
      expect((await scim(t, key, 'GET', path)).status, path).toBe(200);
    expect((await scim(t, key, 'GET', '/Nope')).body).toMatchObject({ status: '404' });
  });
});
