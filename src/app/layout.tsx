/**
 * The frame of every app page, built from the site's stylesheet and classes so the two look alike
 * (light and dark by `prefers-color-scheme`, the skip link, visible focus, 390 px wide): a header with
 * the app's name, a search box over episode titles and descriptions, and links to Shows, New,
 * Sharing, Settings and Add a show (the current one marked `aria-current="page"`), and Log out when the
 * app is exposed with `--listen`; the page in `<main>` (the skip link's target). The CSRF token rides in
 * `<meta name="csrf-token">` for `app.js`; forms carry it with `<CsrfField>`.
 */

import { type Child, Fragment, type Html, h } from '../web/html/jsx.js';
import type { AppContext } from './context.js';

/** A hidden `_csrf` field: put one in every POST form. */
export function CsrfField(props: { ctx: AppContext }): Html {
  return <input type="hidden" name="_csrf" value={props.ctx.secret.csrf} />;
}

const NAV: [href: string, label: string][] = [
  ['/', 'Shows'],
  ['/new', 'New'],
  ['/sharing', 'Sharing'],
  ['/settings', 'Settings'],
  ['/add', 'Add a show'],
];

export function AppLayout(props: {
  ctx: AppContext;
  title: string;
  /** The nav link to mark as the current page. */
  current?: string;
  /** The search box's text. */
  query?: string;
  children?: Child;
  head?: Child;
  /** Leave the CSRF token out (error pages, which a request without a session may see). */
  bare?: boolean;
}): Html {
  const { ctx } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · Seedcast`}</title>
        {props.bare ? null : <meta name="csrf-token" content={ctx.secret.csrf} />}
        <link rel="stylesheet" href={ctx.assets.url('site.css')} />
        <link rel="stylesheet" href={ctx.assets.url('app.css')} />
        {props.head}
        <script type="module" src={ctx.assets.url('app.js')}></script>
      </head>
      <body class="aggregator-app">
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <nav class="site-nav" aria-label="Main">
            <a class="brand" href="/">
              Seedcast
            </a>
            <search class="nav-search">
              <form method="get" action="/search">
                <label for="nav-q" class="visually-hidden">
                  Search episodes
                </label>
                <input
                  type="search"
                  id="nav-q"
                  name="q"
                  value={props.query ?? ''}
                  placeholder="Search episodes"
                />
                <button type="submit">Search</button>
              </form>
            </search>
            <ul class="nav-links">
              {NAV.map(([href, label]) => (
                <li>
                  <a href={href} aria-current={props.current === href ? 'page' : undefined}>
                    {label}
                  </a>
                </li>
              ))}
              {ctx.exposed && !props.bare ? (
                <li>
                  <form method="post" action="/logout" id="logout" class="nav-logout">
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="link-button">
                      Log out
                    </button>
                  </form>
                </li>
              ) : null}
            </ul>
          </nav>
        </header>
        <main id="main" tabindex="-1">
          {props.children}
        </main>
        <footer class="site-footer">
          <p>
            Episodes travel over BitTorrent, and what you fetched is shared back within the limits you set on{' '}
            <a href="/sharing">Sharing</a>.
          </p>
        </footer>
      </body>
    </html>
  );
}
