import type { Child } from 'hono/jsx';

export type Nav = { email: string; roles: { admin: boolean; audit: boolean }; csrf: string };

const LINKS = [
  { href: '/', label: 'My queue', show: () => true },
  { href: '/mine', label: 'My requests', show: () => true },
  { href: '/audit', label: 'Audit', show: (n: Nav) => n.roles.audit },
  { href: '/admin', label: 'Admin', show: (n: Nav) => n.roles.admin },
  { href: '/security', label: 'Security', show: () => true },
];

/** Every console page: a skip link, one <main>, the navigation with the current page marked. */
export function Layout(props: { title: string; nav?: Nav | undefined; current?: string; children?: Child }) {
  const { nav } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Countersign`}</title>
        <link rel="stylesheet" href="/assets/console.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/">
              Countersign
            </a>
            {nav && (
              <nav aria-label="Console">
                <ul>
                  {LINKS.filter((l) => l.show(nav)).map((l) => (
                    <li>
                      <a href={l.href} aria-current={props.current === l.href ? 'page' : undefined}>
                        {l.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            {nav && (
              <span class="who">
                {nav.email}{' '}
                <form class="inline" method="post" action="/auth/logout">
                  <input type="hidden" name="_csrf" value={nav.csrf} />
                  <button type="submit">Sign out</button>
                </form>{' '}
                <form class="inline" method="post" action="/auth/logout-everywhere">
                  <input type="hidden" name="_csrf" value={nav.csrf} />
                  <button type="submit">Sign out everywhere</button>
                </form>
              </span>
            )}
          </div>
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

/** A problem or a confirmation, announced to screen readers as it appears. */
export function Notice(props: { kind: 'error' | 'info' | 'success'; children?: Child }) {
  return (
    <div class={`alert ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}
