// The server accepts a resource in one spelling only: `/`-separated segments, none empty, no
// leading or trailing `/` (shared/src/schemas/resource.ts). Console resources are filled from URLs,
// which come with a scheme and host, a leading `/`, a query, and sometimes `//`; those parts carry
// no meaning a resource glob could use, so they are cut here. A `.` or `..` segment is left as it
// is: what the cloud makes of it is its own business, so the server refuses it and the extension
// fails closed.

const SCHEME_AND_HOST = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/** A rendered console resource in the server's spelling; empty when nothing of it is left. */
export function canonicalConsoleResource(rendered: string): string {
  const withoutHost = rendered.replace(SCHEME_AND_HOST, '');
  // Only a URL or an absolute path has a query: elsewhere `?` and `#` may be part of a name.
  const isUrl = withoutHost !== rendered || rendered.startsWith('/');
  const path = isUrl ? withoutHost.replace(/[?#].*$/s, '') : withoutHost;
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .join('/');
}
