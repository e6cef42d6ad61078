/**
 * Which hosts a request's callbackUrl may point at (COUNTERSIGN_WEBHOOK_HOSTS): exact names, or
 * `*.example.com` for any subdomain. Without an allow-list no callback is accepted, so the server can
 * never be made to send requests to arbitrary places (cloud metadata endpoints, internal services).
 */
export function callbackHostAllowed(allowed: readonly string[], url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern.startsWith('*.')
      ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
      : host === pattern;
  });
}

export const parseHostList = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
