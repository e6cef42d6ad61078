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
    expect([...listedAddresses(allowed).keys()].sort()).toEqual(['10.1.2.3', 'fd00::1']);
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
  const serve = async () => {
    const server = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as AddressInfo).port };
  };
  const outcome = async (url: string, allowed: string[]) => {
    const dispatcher = safeDispatcher(listedAddresses(allowed));
    try {
      return await fetch(url, { dispatcher }).then(
        (response) => response.status,
        (error: Error) => error.cause,
      );
    } finally {
      await dispatcher.close();
    }
  };

  it('refuses a name that resolves to a private address unless that address is listed literally', async () => {
    const { server, port } = await serve();
    const url = `http://localhost:${port}/`;
    try {
      expect(await outcome(url, [])).toBeInstanceOf(BlockedDestination);
      expect(await outcome(url, ['127.0.0.1:*', '[::1]:*'])).toBe(204);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('lets a listed address with a port through on that port only', async () => {
    const { server: listed, port } = await serve();
    const { server: other, port: otherPort } = await serve();
    try {
      const allowed = [`127.0.0.1:${port}`, `[::1]:${port}`];
      expect(await outcome(`http://localhost:${port}/`, allowed)).toBe(204);
      expect(await outcome(`http://localhost:${otherPort}/`, allowed)).toBeInstanceOf(BlockedDestination);
      // No port listed: the scheme's default only (80 here), never the other server's port.
      expect(await outcome(`http://localhost:${otherPort}/`, ['127.0.0.1', '::1'])).toBeInstanceOf(
        BlockedDestination,
      );
    } finally {
      await new Promise<void>((resolve) => listed.close(() => resolve()));
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});
