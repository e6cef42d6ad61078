import { describe, expect, it } from 'vitest';
import { REFUSAL_WINDOW_MS } from '../../server/src/services/sessions/cookie-refusal-throttle';
import { auditEvents, serverForTest } from '../../server/test/harness';

// A cookie named like the console's, with a value whose signature cannot verify.
const FORGED = `countersign=${encodeURIComponent(`forged-session.${'A'.repeat(43)}=`)}`;

describe('a flood of tampered console cookies', () => {
  it('refuses every one, audits the first per address per minute, counts the rest and sums them into the next row', async (test) => {
    const t = await serverForTest(test, { env: { COUNTERSIGN_TRUST_PROXY: 'loopback' } });
    const auditor = await t.userKey('aud@example.com', ['audit:read']);
    const admin = await t.userKey('root@example.com', ['admin']);
    const hit = (from: string) =>
      fetch(`${t.url}/mine`, { redirect: 'manual', headers: { cookie: FORGED, 'x-forwarded-for': from } });

    for (let i = 0; i < 25; i++) {
      const page = await hit('203.0.113.7');
      // Fail closed whatever the throttle does: every one is sent to sign in, its cookie cleared.
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toContain('reason=tampered');
    }
    expect((await hit('198.51.100.9')).status).toBe(303); // another address has its own allowance

    const refused = () => auditEvents(t, auditor, 'type=session.refused');
    const first = await refused();
    expect(first.map((e) => e.data.address)).toEqual(['203.0.113.7', '198.51.100.9']);
    expect(first.map((e) => e.data.suppressed)).toEqual([0, 0]);

    const metrics = await t.call<string>('GET', '/metrics', { key: admin });
    expect(metrics.body).toContain('countersign_console_cookies_refused_total{audited="true"} 2');
    expect(metrics.body).toContain('countersign_console_cookies_refused_total{audited="false"} 24');

    // A minute on, the next refusal from the flooding address is written with what was left out.
    const real = t.server.core.now;
    t.server.core.now = () => real() + REFUSAL_WINDOW_MS + 1_000;
    test.onTestFinished(() => {
      t.server.core.now = real;
    });
    expect((await hit('203.0.113.7')).status).toBe(303);
    const after = await refused();
    expect(after).toHaveLength(3);
    expect(after[2]?.data).toMatchObject({ address: '203.0.113.7', suppressed: 24, suppressedElsewhere: 0 });
  });

  it('bounds the rows from many addresses too: 60 a minute, the rest summed into the next row', async (test) => {
    const t = await serverForTest(test, { env: { COUNTERSIGN_TRUST_PROXY: 'loopback' } });
    const auditor = await t.userKey('aud@example.com', ['audit:read']);
    const hit = (from: string) =>
      fetch(`${t.url}/mine`, { redirect: 'manual', headers: { cookie: FORGED, 'x-forwarded-for': from } });
    for (let i = 1; i <= 65; i++) expect((await hit(`2001:db8::${i.toString(16)}`)).status).toBe(303);
    expect(await auditEvents(t, auditor, 'type=session.refused')).toHaveLength(60);

    const real = t.server.core.now;
    t.server.core.now = () => real() + REFUSAL_WINDOW_MS + 1_000;
    test.onTestFinished(() => {
      t.server.core.now = real;
    });
    expect((await hit('2001:db8::ffff')).status).toBe(303);
    const rows = await auditEvents(t, auditor, 'type=session.refused');
    expect(rows).toHaveLength(61);
    expect(rows[60]?.data).toMatchObject({
      address: '2001:db8::ffff',
      suppressed: 0,
      suppressedElsewhere: 5,
    });
  });
});
