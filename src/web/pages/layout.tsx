/**
 * The frame of every page: document head (title with the site's name, favicon, stylesheet, page
 * script, feed links), a skip link, the header (the site's name, search box, links to Channels,
 * Subscriptions, Publish, About, the account and, by role, Admin, Settings and Users), the first-run
 * banner until the first account exists, and the footer. Pages render their content inside
 * `<Layout>` and get back the whole document as `Html`.
 */

import { canModerate, DEFAULT_PROFILE, isAdmin, type SiteProfile, type User } from '../../catalog/index.js';
import { type Child, Fragment, type Html, h } from '../html/jsx.js';
import type { Visitor } from '../session.js';
import type { StaticAssets } from '../static.js';

/** What every page needs to know about the request. */
export interface PageContext {
  visitor: Visitor;
  assets: StaticAssets;
  /** The search box's text (the query on the search page). */
  query?: string;
  /** The site's name, description, registration mode... (issue 19), when the site keeps settings. */
  site?: SiteProfile;
  /** True until the first account exists: every page shows the first-run banner. */
  firstRun?: boolean;
}

/** The site's profile, or the defaults. */
export function siteOf(ctx: PageContext): SiteProfile {
  return ctx.site ?? DEFAULT_PROFILE;
}

/** A hidden field with the visitor's CSRF token: put one in every POST form. */
export function CsrfField(props: { ctx: PageContext }): Html {
  return <input type="hidden" name="_csrf" value={props.ctx.visitor.csrf} />;
}

/** The header's links for the visitor, in order: the site's, then the account's (or log in), then by role. */
function navLinks(user: User | undefined): [href: string, label: string][] {
  const links: [string, string][] = [['/channels', 'Channels']];
  if (user) links.push(['/subscriptions', 'Subscriptions']);
  links.push(['/upload', 'Publish'], ['/about', 'About']);
  if (!user) return [...links, ['/login', 'Log in'], ['/register', 'Register']];
  links.push([`/users/${encodeURIComponent(user.username)}`, user.username], ['/account', 'Account']);
  if (canModerate(user)) links.push(['/admin', 'Admin']);
  if (isAdmin(user)) links.push(['/admin/settings', 'Settings'], ['/admin/users', 'Users']);
  return links;
}

function AccountLinks(props: { ctx: PageContext; user: User | undefined }): Html {
  const { user, ctx } = props;
  return (
    <>
      {navLinks(user).map(([href, label]) => (
        <li>
          <a href={href}>{label}</a>
        </li>
      ))}
      {user ? (
        <li>
          <form method="post" action="/logout">
            <CsrfField ctx={ctx} />
            <button type="submit" class="link" id="logout">
              Log out
            </button>
          </form>
        </li>
      ) : null}
    </>
  );
}

export function Layout(props: {
  ctx: PageContext;
  title: string;
  children?: Child;
  /**
   * Extra tags for `<head>` (e.g. oEmbed discovery, canonical link, the page's own feeds: they come
   * before the site-wide feed links, so feed readers and the aggregator app find them first).
   */
  head?: Child;
}): Html {
  const { ctx } = props;
  const site = siteOf(ctx);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${site.name}`}</title>
        <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
        <meta name="csrf-token" content={ctx.visitor.csrf} />
        <link rel="stylesheet" href={ctx.assets.url('site.css')} />
        {props.head}
        <link rel="alternate" type="application/rss+xml" title="Newest items (RSS)" href="/feeds/items.rss" />
        <link
          rel="alternate"
          type="application/atom+xml"
          title="Newest items (Atom)"
          href="/feeds/items.atom"
        />
        <script type="module" src={ctx.assets.url('site.js')}></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <nav class="site-nav" aria-label="Main">
            <a class="brand" href="/">
              {site.name}
            </a>
            <search class="nav-search">
              <form method="get" action="/search">
                <label for="nav-q" class="visually-hidden">
                  Search
                </label>
                <input type="search" id="nav-q" name="q" value={ctx.query ?? ''} placeholder="Search media" />
                <button type="submit">Search</button>
              </form>
            </search>
            <ul class="nav-links">
              <AccountLinks ctx={ctx} user={ctx.visitor.user} />
            </ul>
          </nav>
        </header>
        {ctx.firstRun ? (
          <div class="first-run-banner" id="first-run-banner" role="status">
            <p>
              This site has no accounts yet.{' '}
              <strong>The first account you create becomes the site's admin.</strong>{' '}
              <a href="/register">Create it now</a>.
            </p>
          </div>
        ) : null}
        <main id="main" tabindex="-1">
          {props.children}
        </main>
        <footer class="site-footer">
          <p>
            Everything here travels over BitTorrent: download the <code>.torrent</code> or magnet and keep
            seeding to help. Feeds: <a href="/feeds/items.rss">RSS</a> · <a href="/feeds/items.atom">Atom</a>{' '}
            · <a href="/feeds/items.json">JSON</a>
          </p>
        </footer>
      </body>
    </html>
  );
}
