import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { callbackHostAllowed, listedAddresses } from '../src/webhooks/callback-hosts';
import { BlockedDestination, isPrivateAddress, safeDispatcher } from '../src/webhooks/safe-dispatcher';

describe('the callback allow-list', () => {
  const allowed = [
    'hooks.example.com',
    'alerts.example.com:8443',
    'ci.example.com:*',
    '*.hooks.example.org',
    '10.1.2.3',
    '[fd00::1]:9000',
  ];
  it.each([
    ['https://hooks.example.com/countersign', true],
    ['https://hooks.example.com:8443/countersign', false], // no port listed: the default port only
    ['https://alerts.example.com:8443/x', true],
    ['https://alerts.example.com/x', false],
    ['http://ci.example.com:31337/x', true],
    ['https://a.hooks.example.org/x', true],
    ['https://hooks.example.org/x', false], // the wildcard needs a subdomain
    ['https://evilhooks.example.org/x', false],
    ['http://10.1.2.3/x', true],
    ['http://10.1.2.4/x', false],
    ['http://[fd00::1]:9000/x', true],
    ['https://hooks.example.com.evil.example/x', false],
    ['https://user@evil.example/?@hooks.example.com', false],
  ])('%s → %s', (url, ok) => {
    expect(callbackHostAllowed(allowed, url)).toBe(ok);
  });

  it('treats only IP literals as listed addresses', () => {
    expect([...listedAddresses(allowed)].sort()).toEqual(['10.1.2.3', 'fd00::1']);
  });

  it.each([
    '127.0.0.1',
    '10.0.0.8',
    '169.254.169.254',
    '172.20.1.1',
    '192.168.1.1',
    '::1',
    'fe80::1',
    'fd12::3',
    '::ffff:127.0.0.1',
  ])('knows %s is private', (address) => expect(isPrivateAddress(address)).toBe(true));
  it.each(['93.184.216.34', '2606:2800:220:1::1'])('knows %s is public', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );
});

describe('the connect-time guard', () => {
  it('refuses a name that resolves to a private address unless that address is listed literally', async () => {
    const server = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://localhost:${(server.address() as AddressInfo).port}/`;
    try {
      const guarded = safeDispatcher(new Set());
      const refused = await fetch(url, { dispatcher: guarded }).then(
        () => undefined,
        (error: Error) => error.cause,
      );
      expect(refused).toBeInstanceOf(BlockedDestination);
      await guarded.close();

      const listed = safeDispatcher(new Set(['127.0.0.1', '::1']));
      expect((await fetch(url, { dispatcher: listed })).status).toBe(204);
      await listed.close();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
