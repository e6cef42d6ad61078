import { describe, expect, it } from 'vitest';
import { REFUSAL_WINDOW_MS } from '../../server/src/services/sessions/cookie-refusal-throttle';
import { serverForTest } from '../../server/test/harness';
import { capturedLog } from './captured-log';

// A cookie named like the console's, with a value whose signature cannot verify.
const FORGED = `countersign=${encodeURIComponent(`forged-session.${'A'.repeat(43)}=`)}`;
const REFUSED = 'console cookie with a bad signature refused';

describe('the log of a flood of tampered console cookies', () => {
  it('says it once per address a minute, the next line counting those left out', async (test) => {
    const { log, lines } = capturedLog('warn');
    const t = await serverForTest(test, { env: { COUNTERSIGN_TRUST_PROXY: 'loopback' }, log });
    const hit = (from: string) =>
      fetch(`${t.url}/mine`, { redirect: 'manual', headers: { cookie: FORGED, 'x-forwarded-for': from } });
    for (let i = 0; i < 25; i++) expect((await hit('203.0.113.7')).status).toBe(303);
    expect((await hit('198.51.100.9')).status).toBe(303);

    const refused = () => lines.filter((l) => l.msg === REFUSED);
    // Before: 26 lines, one per request (a script replaying the cookie wrote a line per request).
    expect(refused().map((l) => [l.address, l.suppressed])).toEqual([
      ['203.0.113.7', 0],
      ['198.51.100.9', 0],
    ]);

    const real = t.server.core.now;
    t.server.core.now = () => real() + REFUSAL_WINDOW_MS + 1_000;
    test.onTestFinished(() => {
      t.server.core.now = real;
    });
    expect((await hit('203.0.113.7')).status).toBe(303);
    expect(refused().map((l) => [l.address, l.suppressed])).toEqual([
      ['203.0.113.7', 0],
      ['198.51.100.9', 0],
      ['203.0.113.7', 24],
    ]);
  });
});
