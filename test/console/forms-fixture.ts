import type { ActionRequest } from '@countersign/shared';
import type { TestContext } from 'vitest';
import { expect } from 'vitest';
import { auditEvents, serverForTest, submit, type TestServer } from '../../server/test/harness';
import { type ConsoleClient, signedIn } from './console-client';

// Issue 16's console forms: one server per test with a rule for each feature, an agent owned by
// carol (the requester's side), two reviewers, and an auditor key to read what was recorded.
export const FORMS_POLICY = `version: 1
groups:
  reviewers: [rita@example.com, ravi@example.com]
rules:
  - name: prod-fix
    match: { action: "prod.*" }
    effect: review
    approvers: [reviewers]
    breakGlass: { notify: ["#security"], reviewWithin: 24h }
  - name: reports
    match: { action: "reports.*" }
    effect: review
    approvers: [reviewers]
    standing: { max: 1h, uses: 3 }
  - name: everything-else
    match: { action: "**" }
    effect: review
    approvers: [reviewers]
`;

export type Forms = {
  t: TestServer;
  agent: string;
  auditor: string;
  ask(body: Record<string, unknown>): Promise<ActionRequest>;
  as(email: string): Promise<ConsoleClient>;
  status(id: string): Promise<ActionRequest>;
  /** The audit events of one type about one request. */
  audited(type: string, id: string): Promise<Array<{ actor: string; data: Record<string, unknown> }>>;
};

export async function formsServer(test: Pick<TestContext, 'onTestFinished'>): Promise<Forms> {
  const t = await serverForTest(test, { policy: FORMS_POLICY });
  const agent = await t.agentKey('ops-bot', 'carol@example.com');
  const auditor = await t.userKey('audra@example.com', ['audit:read']);
  return {
    t,
    agent,
    auditor,
    ask: (body) => submit(t, agent, body),
    as: (email) => signedIn(t, email),
    status: async (id) => (await t.call<ActionRequest>('GET', `/v1/actions/${id}`, { key: agent })).body,
    audited: async (type, id) =>
      (await auditEvents(t, auditor, `type=${encodeURIComponent(type)}`)).filter((e) => e.subject === id),
  };
}

/**
 * A form posted from another origin, and one with a token that is not the session's: both refused
 * with 403 before any verb runs.
 */
export async function expectCsrfRefused(
  client: ConsoleClient,
  path: string,
  form: Record<string, string>,
): Promise<void> {
  const foreign = await client.post(path, form, { origin: 'https://evil.example' });
  const forged = await client.post(path, { ...form, _csrf: 'forged' });
  for (const refused of [foreign, forged]) {
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(refused.text).toContain('did not come from this site; nothing was changed');
  }
}

/** Where a successful form post sends the browser, and the confirmation shown there. */
export async function expectDone(
  client: ConsoleClient,
  reply: { status: number; location: string | null },
  words: string,
): Promise<void> {
  expect(reply.status).toBe(303);
  const shown = await client.get(reply.location ?? '');
  expect(shown.status).toBe(200);
  expect(shown.text).toContain(words);
}
