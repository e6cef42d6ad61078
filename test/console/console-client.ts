import { issueLoginLink } from '../../server/src/services/sessions/login-links';
import type { TestServer } from '../../server/test/harness';

export type PageReply = { status: number; text: string; location: string | null; headers: Headers };

/**
 * A person at a browser without the browser: one cookie jar, redirects not followed (tests check
 * where they go), forms posted with this site's Origin and the page's CSRF token, as a browser would.
 */
export class ConsoleClient {
  cookie = '';
  csrf = '';
  constructor(readonly t: TestServer) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<PageReply> {
    const res = await fetch(`${this.t.url}${path}`, {
      redirect: 'manual',
      headers: { ...(this.cookie && { cookie: this.cookie }), ...headers },
    });
    return this.keep(res);
  }

  async post(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<PageReply> {
    const res = await fetch(`${this.t.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: this.t.url,
        ...(this.cookie && { cookie: this.cookie }),
        ...headers,
      },
      body: new URLSearchParams({ _csrf: this.csrf, ...form }).toString(),
    });
    return this.keep(res);
  }

  private async keep(res: Response): Promise<PageReply> {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const [name] = pair.split('=');
      if (name !== 'countersign') continue;
      this.cookie = /max-age=0|expires=thu, 01 jan 1970/i.test(line) ? '' : pair;
    }
    const text = await res.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (csrf) this.csrf = csrf;
    return { status: res.status, text, location: res.headers.get('location'), headers: res.headers };
  }
}

/** Signs `email` in through a one-time link, as `countersign login --user` and a click would. */
export async function signedIn(t: TestServer, email: string): Promise<ConsoleClient> {
  const client = new ConsoleClient(t);
  const link = await issueLoginLink({
    ctx: { core: t.server.core, actor: { kind: 'system', id: 'system:cli' } },
    email,
  });
  const confirm = await client.get(`/auth/link?token=${link.token}`);
  if (confirm.status !== 200) throw new Error(`link page: ${confirm.status}`);
  const done = await client.post('/auth/link', { token: link.token });
  if (done.status !== 303 || !client.cookie)
    throw new Error(`link sign-in failed: ${done.status} ${done.text}`);
  await client.get('/'); // picks up the session's CSRF token
  return client;
}

export const linkFor = async (t: TestServer, email: string) =>
  (await issueLoginLink({ ctx: { core: t.server.core, actor: { kind: 'system', id: 'system:cli' } }, email }))
    .token;
