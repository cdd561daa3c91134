/**
 * A user's page (`/users/:name`: their channels and items) and the paged item listing it shares with
 * the channel page (`channel-page.tsx`).
 */

import type { Channel, User } from '../../catalog/index.js';
import { type Html, h } from '../html/jsx.js';
import { type CardItem, ItemGrid, Notice, Pagination } from './components.js';
import { formatDate } from './format.js';
import { Layout, type PageContext } from './layout.js';

export interface Listing {
  items: CardItem[];
  total: number;
  totalCapped: boolean;
  page: number;
  pages: number;
}

export function ListingSection(props: { listing: Listing; base: string; empty: string }): Html {
  const { listing } = props;
  return (
    <section aria-labelledby="items-title">
      <h2 id="items-title">
        Items{' '}
        <span class="muted">
          ({listing.totalCapped ? 'about ' : ''}
          {listing.total})
        </span>
      </h2>
      <ItemGrid id="items" items={listing.items} empty={props.empty} />
      <Pagination
        page={listing.page}
        pages={listing.pages}
        href={(page) => (page > 1 ? `${props.base}?page=${page}` : props.base)}
      />
    </section>
  );
}

export function UserPage(props: {
  ctx: PageContext;
  user: User;
  channels: Channel[];
  listing: Listing;
  /** The items this account favours (newest favourite first), when the site keeps favourites. */
  favourites?: readonly CardItem[];
  /** The title of an item its owner just deleted (issue 19). */
  deleted?: string;
}): Html {
  const { ctx, user, channels } = props;
  const base = `/users/${encodeURIComponent(user.username)}`;
  const feed = `/feeds/items.rss?user=${encodeURIComponent(user.username)}`;
  return (
    <Layout
      ctx={ctx}
      title={user.username}
      head={<link rel="alternate" type="application/rss+xml" title={`${user.username} (RSS)`} href={feed} />}
    >
      {props.deleted ? (
        <Notice kind="ok" id="deleted-notice">
          “{props.deleted}” was deleted.
        </Notice>
      ) : null}
      <h1 id="user-title">{user.username}</h1>
      <p class="muted">
        Member since {formatDate(user.createdAt)} · <a href={feed}>RSS feed</a> ·{' '}
        <a href={`/users/${encodeURIComponent(user.username)}/collections`} id="user-collections">
          Collections
        </a>
      </p>
      {channels.length > 0 ? (
        <section aria-labelledby="user-channels-title">
          <h2 id="user-channels-title">Channels</h2>
          <ul id="user-channels">
            {channels.map((c) => (
              <li>
                <a href={`/channels/${c.slug}`}>{c.title}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <ListingSection
        listing={props.listing}
        base={base}
        empty={`${user.username} has not published anything yet.`}
      />
      {props.favourites ? (
        <section aria-labelledby="user-favourites-title">
          <h2 id="user-favourites-title">Favourites</h2>
          <ItemGrid id="user-favourites" items={props.favourites} empty="No favourites yet." />
        </section>
      ) : null}
    </Layout>
  );
}
