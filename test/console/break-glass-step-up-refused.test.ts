import type { ActionRequest } from '@countersign/shared';
import { describe, expect, it } from 'vitest';
import { StepUpPage } from '../../server/src/web/pages/step-up';
import { submit } from '../../server/test/harness';
import { serverWithIdp } from './idp-server';
import { type IdpAccount, MFA_ACR, PASSWORD_ACR } from './oidc-provider';

// Issue 16 × step-up: when the MFA sign-in made to break the glass fails, the page says what did not
// happen ("Glass not broken"), not "Not approved" as for an approval's step-up; nothing changed.

const POLICY = [
  'version: 1',
  'groups:',
  '  oncall: [alice@example.com, bob@example.com]',
  'rules:',
  '  - name: prod-deploys-after-hours',
  '    match: { action: "deploy.*" }',
  '    effect: review',
  '    approvers: [oncall]',
  '    risk: critical',
  '    breakGlass: { notify: ["#incidents"], reviewWithin: 24h }',
  'default: { effect: deny, reason: no }',
  '',
].join('\n');
const REASON = 'The on-call pager is down and prod is burning at 03:00.';
const account = (email: string): IdpAccount => ({
  sub: `u-${email}`,
  email,
  email_verified: true,
  acr: MFA_ACR,
  amr: ['pwd', 'otp'],
});

describe('console: a failed break-glass step-up', () => {
  it('a password-only sign-in for a break-glass: "Glass not broken", still pending; an approval’s says "Not approved"', async (test) => {
    const {
      t,
      idp,
      signIn: signInAt,
    } = await serverWithIdp(test, POLICY, {
      env: {
        COUNTERSIGN_OIDC_MFA_ACR: MFA_ACR,
        // Only the acr decides, so the password-only sign-in below is refused for its acr alone.
        COUNTERSIGN_OIDC_MFA_AMR: 'hwk',
      },
    });
    const req = await submit(t, await t.agentKey('deployer', 'carol@example.com'), { action: 'deploy.api' });
    const signIn = async (email: string) => {
      const done = await signInAt(account(email), '/');
      expect(done.status).toBe(200);
      return done.browser;
    };
    const passwordOnly = (email: string) =>
      idp.signInAs({ ...account(email), acr: PASSWORD_ACR, amr: ['pwd'] });
    const status = async () =>
      (
        await t.call<ActionRequest>('GET', `/v1/actions/${req.id}`, {
          key: await t.userKey('aud@example.com', ['audit:read']),
        })
      ).body.status;

    const carol = await signIn('carol@example.com');
    // No chat bot runs here: the step-up page promises no broadcast.
    const stepUpPage = await carol.go(`${t.url}/requests/${req.id}/step-up?for=break-glass`);
    expect(stepUpPage.text).toContain(
      'shown only in the audit log and the approvers&#39; console queue (no chat is configured on this server)',
    );
    expect(stepUpPage.text).not.toContain('broadcast');
    passwordOnly('carol@example.com');
    const refused = await carol.go(`${t.url}/requests/${req.id}/break-glass`, { reason: REASON });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('did not report a sign-in with MFA');
    expect(refused.text).toContain('Glass not broken');
    expect(refused.text).not.toContain('Not approved');
    expect(await status()).toBe('pending');

    // An approver's failed step-up is still an approval that did not happen.
    const alice = await signIn('alice@example.com');
    passwordOnly('alice@example.com');
    const notApproved = await alice.go(`${t.url}/requests/${req.id}/review`, { decision: 'approve' });
    expect(notApproved.status).toBe(403);
    expect(notApproved.text).toContain('Not approved');
    expect(notApproved.text).not.toContain('Glass not broken');
    expect(await status()).toBe('pending');
  });
});

describe('console: the break-glass step-up page says who hears of it', () => {
  it('names the chat bots this server runs', () => {
    const page = (chat: { slack: boolean; teams: boolean }) =>
      String(
        StepUpPage({
          nav: { email: 'carol@example.com', roles: { admin: false, audit: false }, csrf: 'tok' },
          request: {
            id: 'act_01',
            status: 'pending',
            action: 'deploy.api',
            source: 'api',
            context: {},
            requester: { id: 'agent:deployer', owner: 'carol@example.com' },
            digest: `sha256:${'a'.repeat(64)}`,
            rule: { name: 'prod-deploys-after-hours', effect: 'review' },
            matched: { rule: 'prod-deploys-after-hours' },
            policyVersion: 'sha256:abc',
            approvals: { required: 1, received: 0 },
            approvers: ['oncall'],
            reviews: [],
            createdAt: '2026-11-30T10:00:00.000Z',
            stepUp: 'mfa',
            breakGlass: { notify: ['#incidents'], reviewWithinMs: 86_400_000 },
          },
          method: 'mfa',
          purpose: 'break_glass',
          available: true,
          chat,
        }),
      );
    expect(page({ slack: true, teams: false })).toContain('It is then announced in Slack, audited');
    expect(page({ slack: true, teams: true })).toContain('announced in Slack and Teams, audited');
    expect(page({ slack: false, teams: false })).toContain('no chat is configured on this server');
  });
});
