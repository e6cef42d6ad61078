import type { ActionRequest } from '@countersign/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentKey, review, userKey, useStack } from './fixtures/stack';
import { api, lastLine, runCli } from './processes';

// Issue 16: `requester.groups` holds the policy groups a person is in by the same membership approver
// eligibility counts, so an identity provider's group mapped into a policy group counts in a condition.
const POLICY = `version: 1
groups:
  sre: [idp:"SRE On-Call"]
rules:
  - name: sre-runs-prod
    match: { action: "prod.**" }
    when: '"sre" in requester.groups'
    effect: allow
  - name: prod-needs-sre
    match: { action: "prod.**" }
    effect: review
    approvers: [sre]
  - name: drops-need-two
    match: { action: "db.drop*" }
    effect: review
    approvers: [sre]
    minApprovals: 2
default: { effect: deny, reason: nothing else is allowed }
`;

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const stack = useStack(POLICY);

describe('requester.groups over a real server process, membership from SCIM', { timeout: 120_000 }, () => {
  let scimKey = '';
  const ids: Record<string, string> = {};
  const keys: Record<string, string> = {};
  let groupId = '';

  const scim = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.server.url}/scim/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${scimKey}`,
        ...(body !== undefined && { 'content-type': 'application/scim+json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as T };
  };

  beforeAll(async () => {
    scimKey = lastLine((await runCli(['keys', 'create', '--scim', 'okta'], stack.env)).stdout);
    keys.bob = await userKey(stack, 'bob@example.com', 'actions:write,reviews:write');
    keys.carol = await userKey(stack, 'carol@example.com', 'actions:write,reviews:write');
    keys.bobsAgent = await agentKey(stack, 'bob-bot', 'bob@example.com');
    keys.carolsAgent = await agentKey(stack, 'carol-bot', 'carol@example.com');
    for (const who of ['bob', 'carol']) {
      const email = `${who}@example.com`;
      const made = await scim<{ id: string }>('POST', '/Users', {
        userName: email,
        emails: [{ value: email, type: 'work', primary: true }],
        active: true,
      });
      expect(made.status).toBe(201);
      ids[who] = made.body.id;
    }
    const group = await scim<{ id: string }>('POST', '/Groups', {
      displayName: 'SRE On-Call',
      members: [{ value: ids.bob }],
    });
    expect(group.status).toBe(201);
    groupId = group.body.id;
  }, 120_000);

  const submit = (who: string) =>
    api<ActionRequest>(stack.server.url, 'POST', '/v1/actions', keys[who] ?? '', {
      action: 'prod.restart',
      resource: 'web',
    });

  it('an SCIM member of the IdP group mapped to sre, and an agent they own, meet "sre" in requester.groups', async () => {
    for (const who of ['bob', 'bobsAgent']) {
      const sent = await submit(who);
      expect(sent.status).toBe(201);
      expect(sent.body).toMatchObject({
        status: 'allowed',
        matched: { rule: 'sre-runs-prod', condition: '"sre" in requester.groups' },
      });
    }
  });

  it('someone outside the IdP group, and their agent, are held; the same membership lets bob approve', async () => {
    const held: ActionRequest[] = [];
    for (const who of ['carol', 'carolsAgent']) {
      const sent = await submit(who);
      expect(sent.status).toBe(201);
      expect(sent.body).toMatchObject({ status: 'pending', rule: { name: 'prod-needs-sre' } });
      held.push(sent.body);
    }
    const [first] = held;
    if (!first) throw new Error('nothing was held');
    const approved = await review(stack, keys.bob ?? '', first.id, 'approve');
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
  });

  it('follows the IdP: once SCIM removes bob from the group, he and his agent are held, his approvals discounted', async () => {
    const drop = await api<ActionRequest>(stack.server.url, 'POST', '/v1/actions', keys.carolsAgent ?? '', {
      action: 'db.dropTable',
      resource: 'orders',
    });
    expect(drop.body).toMatchObject({ status: 'pending', rule: { name: 'drops-need-two' } });
    const first = await review(stack, keys.bob ?? '', drop.body.id, 'approve');
    expect(first.body).toMatchObject({ status: 'pending', approvals: { required: 2, received: 1 } });

    const removed = await scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: ids.bob }] }],
    });
    expect(removed.status).toBe(204);
    for (const who of ['bob', 'bobsAgent']) {
      const sent = await submit(who);
      expect(sent.body).toMatchObject({ status: 'pending', rule: { name: 'prod-needs-sre' } });
    }
    const after = await api<ActionRequest>(
      stack.server.url,
      'GET',
      `/v1/actions/${drop.body.id}`,
      keys.carolsAgent ?? '',
    );
    expect(after.body).toMatchObject({ status: 'pending', approvals: { required: 2, received: 0 } });
    expect(after.body.reviews[0]?.discounted).toBeDefined();
    const again = await review(stack, keys.bob ?? '', drop.body.id, 'approve');
    expect(again.status).toBe(403);
  });
});
