import type { IncomingMessage } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import proxyaddr from 'proxy-addr';

/**
 * Which reverse proxies may tell us the client's address (COUNTERSIGN_TRUST_PROXY): a number of
 * hops in front of us, or the addresses and CIDR ranges of the proxies. Off when unset.
 */
export type TrustProxy = { hops: number } | { addresses: string[] };
export type Trust = (address: string, hop: number) => boolean;

const OFF = new Set(['off', 'false', 'no', '0']);

/** Reads the variable's text: `undefined` (off), a setting, or a sentence saying what is wrong. */
export function parseTrustProxy(text: string): TrustProxy | undefined | { problem: string } {
  const value = text.trim();
  if (OFF.has(value.toLowerCase())) return undefined;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= 32 ? { hops } : { problem: 'a hop count must be at most 32' };
  }
  // "true" would let any client name any address by sending X-Forwarded-For: refuse it by name.
  if (/^(true|yes|on|\*)$/i.test(value))
    return {
      problem: 'say how many proxies (a hop count) or which ones (addresses or CIDRs), not "trust all"',
    };
  const addresses = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  try {
    proxyaddr.compile(addresses);
  } catch (error) {
    return {
      problem: `must be off, a hop count, or a comma-separated list of addresses/CIDRs (${(error as Error).message})`,
    };
  }
  return { addresses };
}

export function compileTrust(trust: TrustProxy | undefined): Trust | undefined {
  if (trust === undefined) return undefined;
  if ('hops' in trust) return (_address, hop) => hop < trust.hops;
  return proxyaddr.compile(trust.addresses);
}

/**
 * The address of the client behind this request: the socket's peer, unless trusted proxies in front
 * of us name the client in X-Forwarded-For. Without a trust setting the header is ignored, since
 * anyone can send it.
 */
export function clientAddress(c: Context, trust: Trust | undefined): string {
  const peer = getConnInfo(c).remote.address ?? 'unknown';
  if (!trust) return peer;
  // proxy-addr reads only these two fields of a node request; the request may not be a node one.
  const request = {
    socket: { remoteAddress: peer },
    headers: { 'x-forwarded-for': c.req.header('x-forwarded-for') ?? '' },
  } as unknown as IncomingMessage;
  return proxyaddr(request, trust);
}
