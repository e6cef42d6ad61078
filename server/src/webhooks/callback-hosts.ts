import { isIP } from 'node:net';

/**
 * Which destinations a request's callbackUrl may name (COUNTERSIGN_WEBHOOK_HOSTS), comma-separated:
 * `hooks.example.com` (default port only), `hooks.example.com:8443`, `hooks.example.com:*` (any port),
 * `*.example.com` (any subdomain), or an IP literal. Without an allow-list no callback is accepted, so
 * the server can never be made to send requests to arbitrary places (cloud metadata, internal services).
 */
export function callbackHostAllowed(allowed: readonly string[], url: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return allowed.some((entry) => {
    const { name, port } = splitEntry(entry.toLowerCase());
    const hostOk = name.startsWith('*.')
      ? host.endsWith(name.slice(1)) && host.length > name.length - 1
      : host === name;
    const portOk = port === '*' || port === target.port;
    return hostOk && portOk;
  });
}

/** `host[:port]`, with IPv6 literals in brackets; no port means the scheme's default port. */
function splitEntry(entry: string): { name: string; port: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+|\*))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1] ?? '', port: bracketed[2] ?? '' };
  if (isIP(entry) === 6) return { name: entry, port: '' };
  const [name = '', port = ''] = entry.split(':');
  return { name, port };
}

/**
 * The IP literals named in the allow-list, each with the ports its entries name: `*` (any), digits,
 * or `` (the scheme's default). These are the only private addresses a webhook may reach, and only
 * on those ports: `127.0.0.1:19250` must not open 127.0.0.1:19251 to a name that resolves there.
 */
export type ListedAddresses = ReadonlyMap<string, ReadonlySet<string>>;

export function listedAddresses(allowed: readonly string[]): ListedAddresses {
  const listed = new Map<string, Set<string>>();
  for (const entry of allowed) {
    const { name, port } = splitEntry(entry.toLowerCase());
    if (isIP(name) === 0) continue;
    const ports = listed.get(name) ?? new Set<string>();
    ports.add(port);
    listed.set(name, ports);
  }
  return listed;
}

/** Whether `address` is listed for `port` (a number; the scheme's default when the URL named none). */
export function listedFor(listed: ListedAddresses, address: string, port: number, protocol: string): boolean {
  const ports = listed.get(address);
  if (!ports) return false;
  const defaultPort = protocol === 'https:' ? 443 : 80;
  return ports.has('*') || ports.has(String(port)) || (ports.has('') && port === defaultPort);
}

export const parseHostList = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
