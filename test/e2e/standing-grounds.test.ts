import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionRequest, StandingApproval } from '@countersign/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { sdkAgent } from './fixtures/sdk-agent';
import { type ReviewedStack, unique, userKey, useStack } from './fixtures/stack';
import { api, lastLine, runCli } from './processes';

// Issue 16, from a new-user trial: a standing approval counts for a later request only while its
// grounds hold — its giver active and still an approver of the rule, not on the requester's side, and
// the rule still allowing standing approvals this wide. Otherwise the request is held and the standing
// approval lapses (`standing.revoked` by the system, with the reason).
const policy = (reviewers: string[], standing: string) => `version: 1
groups:
  reviewers: [${reviewers.join(', ')}]
rules:
  - name: exports
    match: { action: db.export }
    effect: review
    approvers: [reviewers]
    ${standing}
default: { effect: deny, reason: not covered }
`;
const ALL = ['rita@example.com', 'oscar@example.com', 'olga@example.com', 'omar@example.com'];
const WIDE = 'standing: { max: 1h, uses: 5 }';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Events = { events: Array<{ type: string; actor: string; data: Record<string, unknown> }> };

/** An agent's first export approved by `giver` with a standing approval over `u/*`, and the agent. */
async function standingFrom(stack: ReviewedStack, giverKey: string, owner?: string, term = '1h', uses = 5) {
  const name = unique('exporter');
  const agent = await sdkAgent(stack, { name, ...(owner && { owner }) });
  const first = await agent.countersign.request({ action: 'db.export', resource: 'u/1' });
  const created = await api<ActionRequest>(
    stack.server.url,
    'POST',
    `/v1/actions/${first.id}/reviews`,
    giverKey,
    { decision: 'approve', standing: { for: term, uses, resource: 'u/*' } },
  );
  expect(created.body).toMatchObject({ status: 'approved', standing: { role: 'created' } });
  return { ...agent, name, standingId: created.body.standing?.id ?? '' };
}

async function expectLapsed(stack: ReviewedStack, standingId: string, reason: RegExp) {
  const listed = await api<{ items: StandingApproval[] }>(
    stack.server.url,
    'GET',
    '/v1/standing-approvals',
    stack.rita,
  );
  expect(listed.body.items.map((s) => s.id)).not.toContain(standingId);
  const auditor = await userKey(stack, 'audra@example.com', 'audit:read');
  const revoked = await api<Events>(stack.server.url, 'GET', '/v1/audit?type=standing.revoked', auditor);
  const event = revoked.body.events.find((e) => e.data.standing === standingId);
  expect(event).toMatchObject({ actor: 'system:server', data: { by: 'system' } });
  expect(String(event?.data.reason)).toMatch(reason);
}

describe('standing approvals lapse with their giver', { timeout: 120_000 }, () => {
  const stack = useStack(policy(ALL, WIDE));
  let scimKey = '';
  const scim = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${stack.server.url}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${scimKey}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { id: string } };
  };
  beforeAll(async () => {
    scimKey = lastLine((await runCli(['keys', 'create', '--scim', 'okta'], stack.env)).stdout);
  }, 60_000);

  it('a giver the identity provider deactivated approves nothing more: held, and the standing approval lapses', async () => {
    const oscar = await userKey(stack, 'oscar@example.com');
    const made = await scim('POST', '/Users', {
      userName: 'oscar@example.com',
      emails: [{ value: 'oscar@example.com', primary: true }],
      active: true,
    });
    expect(made.status).toBe(201);
    const { countersign, standingId } = await standingFrom(stack, oscar);
    expect((await countersign.request({ action: 'db.export', resource: 'u/2' })).request.status).toBe(
      'approved',
    );
    const off = await scim('PATCH', `/Users/${made.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    const next = await countersign.request({ action: 'db.export', resource: 'u/3' });
    expect(next.request.status).toBe('pending');
    expect(next.request.standing).toBeUndefined();
    await expectLapsed(stack, standingId, /oscar@example\.com was deactivated/);
  });

  it('an agent reassigned to the giver is not approved by its new owner’s standing approval', async () => {
    const olga = await userKey(stack, 'olga@example.com');
    const { countersign, name, standingId } = await standingFrom(stack, olga, 'someone@example.com');
    expect((await countersign.request({ action: 'db.export', resource: 'u/2' })).request.status).toBe(
      'approved',
    );
    const reassigned = await runCli(['agents', 'reassign', name, '--owner', 'olga@example.com'], stack.env);
    expect(reassigned.code).toBe(0);
    // Lapsed by the reassignment itself, before any request uses it: no queue shows it meanwhile.
    await expectLapsed(stack, standingId, /olga@example\.com now owns the requester/);
    const next = await countersign.request({ action: 'db.export', resource: 'u/3' });
    expect(next.request.status).toBe('pending');
  });

  it('refusals say what is wrong in the policy’s own words', async () => {
    const { countersign } = await sdkAgent(stack);
    const first = await countersign.request({ action: 'db.export', resource: 'u/1' });
    const review = (body: Record<string, unknown>) =>
      api<{ error: { code: string; message: string; details: Array<{ path: string; message: string }> } }>(
        stack.server.url,
        'POST',
        `/v1/actions/${first.id}/reviews`,
        stack.rita,
        body,
      );
    const long = await review({ decision: 'approve', standing: { for: '2h', uses: 1 } });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toBe("a standing approval lasts at most the rule's 1h");
    const denied = await review({ decision: 'deny', standing: { for: '1h', uses: 1 } });
    expect(denied.status).toBe(400);
    const said = JSON.stringify(denied.body.error);
    expect(said).toMatch(/only an approval may be a standing approval/);
    expect(said).not.toMatch(/no amend/);
  });
});

describe('standing approvals lapse when a reload takes away their grounds', { timeout: 120_000 }, () => {
  const stack = useStack(policy(ALL, WIDE));
  const reload = async (text: string) => {
    await writeFile(join(stack.dir, 'policy.yaml'), text);
    const admin = await userKey(stack, 'admin@example.com', 'admin');
    const reloaded = await api(stack.server.url, 'POST', '/v1/admin/policy/reload', admin);
    expect(reloaded.status).toBe(200);
  };

  it('a giver the reload took out of the approver group', async () => {
    const omar = await userKey(stack, 'omar@example.com');
    const { countersign, standingId } = await standingFrom(stack, omar);
    await reload(policy(['rita@example.com', 'oscar@example.com', 'olga@example.com'], WIDE));
    const next = await countersign.request({ action: 'db.export', resource: 'u/2' });
    expect(next.request.status).toBe('pending');
    await expectLapsed(stack, standingId, /omar@example\.com is no longer an approver of rule exports/);
  });

  it('a rule that lost `standing`, or whose limits shrank below a standing approval’s terms', async () => {
    const oscar = await userKey(stack, 'oscar@example.com');
    const longer = await standingFrom(stack, oscar);
    const more = await standingFrom(stack, oscar, undefined, '30m', 5);
    const within = await standingFrom(stack, oscar, undefined, '30m', 2);
    const status = async (who: typeof longer, resource: string) =>
      (await who.countersign.request({ action: 'db.export', resource })).request.status;
    await reload(policy(ALL, 'standing: { max: 30m, uses: 5 }'));
    expect(await status(longer, 'u/2')).toBe('pending');
    await expectLapsed(stack, longer.standingId, /rule exports now limits standing approvals to 30m/);
    expect(await status(more, 'u/2')).toBe('approved');
    // `more` was given 5 uses and spent one: a rule now allowing 3 is still narrower than its terms.
    await reload(policy(ALL, 'standing: { max: 30m, uses: 3 }'));
    expect(await status(more, 'u/3')).toBe('pending');
    await expectLapsed(stack, more.standingId, /rule exports now limits standing approvals to 3 uses/);
    expect(await status(within, 'u/2')).toBe('approved');
    await reload(policy(ALL, ''));
    expect(await status(within, 'u/3')).toBe('pending');
    await expectLapsed(stack, within.standingId, /rule exports no longer allows standing approvals/);
  });
});
