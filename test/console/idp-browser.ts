/**
 * A browser without a browser across two origins (Countersign and the test IdP): one cookie jar per
 * origin, redirects followed, forms posted with the page's Origin and CSRF token.
 */
export class IdpBrowser {
  readonly jar = new Map<string, Map<string, string>>();
  csrf = '';

  /** Follows redirects from `url` (after an optional POST); answers the last page and where it was. */
  async go(
    url: string,
    form?: Record<string, string>,
  ): Promise<{ status: number; url: string; text: string }> {
    let method = form ? 'POST' : 'GET';
    let body: string | undefined = form
      ? new URLSearchParams({ _csrf: this.csrf, ...form }).toString()
      : undefined;
    for (let hop = 0; hop < 12; hop += 1) {
      const origin = new URL(url).origin;
      const cookies = this.jar.get(origin) ?? new Map<string, string>();
      this.jar.set(origin, cookies);
      const res = await fetch(url, {
        method,
        redirect: 'manual',
        headers: {
          cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(body !== undefined && { 'content-type': 'application/x-www-form-urlencoded', origin }),
        },
        ...(body !== undefined && { body }),
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const at = pair.indexOf('=');
        const name = pair.slice(0, at);
        if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) cookies.delete(name);
        else cookies.set(name, pair.slice(at + 1));
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) {
        const text = await res.text();
        const csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
        if (csrf) this.csrf = csrf;
        return { status: res.status, url, text };
      }
      await res.arrayBuffer();
      url = new URL(location, url).href;
      method = 'GET';
      body = undefined;
    }
    throw new Error('too many redirects');
  }
}
