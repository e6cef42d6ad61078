import { type LookupAddress, lookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { type ListedAddresses, listedFor } from './callback-hosts';

// Where a webhook must never land unless an operator named the address itself: this machine, private
// networks, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved.
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

export class BlockedDestination extends Error {
  override name = 'BlockedDestination';
}

export const isPrivateAddress = (address: string): boolean => {
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is the IPv4 address it carries. (BlockList would
  // apply a ::ffff:0:0/96 rule to every IPv4 address, so mapped ones are unwrapped here instead.)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const plain = mapped ?? address;
  const family = isIP(plain);
  return family !== 0 && PRIVATE.check(plain, family === 6 ? 'ipv6' : 'ipv4');
};

/**
 * An HTTP dispatcher that resolves names itself and refuses private addresses at connect time, so a
 * listed hostname cannot be pointed (or DNS-rebound) at an internal service between the check and the
 * request. Addresses listed literally in the allow-list stay reachable, on the ports listed with them.
 */
export function safeDispatcher(listed: ListedAddresses): Agent {
  const guardedLookup =
    (port: number, protocol: string): LookupFunction =>
    (hostname, options, callback) => {
      lookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, []);
        const blocked = addresses.find(
          (a) => isPrivateAddress(a.address) && !listedFor(listed, a.address, port, protocol),
        );
        if (blocked)
          return callback(
            new BlockedDestination(
              `${hostname} resolves to ${blocked.address}, a private address not listed for port ${port}`,
            ),
            [],
          );
        if (options.all) return callback(null, addresses);
        const [first] = addresses;
        if (!first) return callback(new Error(`${hostname} has no address`), []);
        callback(null, first.address, first.family);
      });
    };
  // The lookup must know the port, which only the connect call has: one connector per connection.
  return new Agent({
    connect: (options, callback) => {
      const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
      buildConnector({ lookup: guardedLookup(port, options.protocol) })(options, callback);
    },
  });
}
