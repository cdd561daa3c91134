/**
 * A collection's page (`/collections/:id`): title, owner, description (Markdown), the items in order
 * as cards, a "Play all" link to the first, the feeds, the embed snippet, and for the owner an
 * "Arrange" table (move up, move down, remove: small forms with the CSRF field, no script needed)
 * with links to edit and delete. Unlisted collections carry `noindex`. Also the list of a user's
 * collections (`/users/:name/collections`). Views only: no I/O.
 */

import type { Collection } from '../../catalog/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { renderMarkdown } from '../html/markdown.js';
import { type CardItem, EmbedPanel, ItemGrid, Notice } from './components.js';
import { formatDate } from './format.js';
import { CsrfField, Layout, type PageContext } from './layout.js';

export function collectionPath(id: number): string {
  return `/collections/${id}`;
}

/** `<head>` tags of a collection: its feeds, and `noindex` when unlisted. */
function CollectionHead(props: { collection: Collection }): Html {
  const c = props.collection;
  const path = collectionPath(c.id);
  return (
    <>
      {c.visibility === 'unlisted' ? <meta name="robots" content="noindex" /> : null}
      <link rel="alternate" type="application/rss+xml" title={`${c.title} (RSS)`} href={`${path}/feed.rss`} />
      <link
        rel="alternate"
        type="application/atom+xml"
        title={`${c.title} (Atom)`}
        href={`${path}/feed.atom`}
      />
      <link
        rel="alternate"
        type="application/feed+json"
        title={`${c.title} (JSON Feed)`}
        href={`${path}/feed.json`}
      />
    </>
  );
}

function MoveForm(props: {
  ctx: PageContext;
  c: Collection;
  item: CardItem;
  direction: 'up' | 'down';
  disabled: boolean;
}): Html {
  const { c, item, direction } = props;
  return (
    <form method="post" action={`${collectionPath(c.id)}/items/${item.id}/move`} class="inline">
      <CsrfField ctx={props.ctx} />
      <input type="hidden" name="direction" value={direction} />
      <button
        type="submit"
        class="secondary"
        id={`move-${direction}-${item.id}`}
        disabled={props.disabled}
        aria-label={`Move "${item.title}" ${direction}`}
      >
        {direction === 'up' ? '↑ Up' : '↓ Down'}
      </button>
    </form>
  );
}

function Arrange(props: { ctx: PageContext; c: Collection; items: CardItem[] }): Html {
  const { ctx, c, items } = props;
  return (
    <section class="panel collection-section" aria-labelledby="arrange-title" id="arrange">
      <h2 id="arrange-title">Arrange</h2>
      {items.length === 0 ? (
        <p class="muted">Add items from their pages ("Add to collection").</p>
      ) : (
        <table class="list collection-arrange">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Item</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item, i) => (
              <tr data-item-id={item.id}>
                <td>{i + 1}</td>
                <td>
                  <a href={`/items/${item.id}`}>{item.title}</a>
                </td>
                <td>
                  <MoveForm ctx={ctx} c={c} item={item} direction="up" disabled={i === 0} />
                  <MoveForm ctx={ctx} c={c} item={item} direction="down" disabled={i === items.length - 1} />
                  <form
                    method="post"
                    action={`${collectionPath(c.id)}/items/${item.id}/remove`}
                    class="inline"
                  >
                    <CsrfField ctx={ctx} />
                    <button
                      type="submit"
                      class="danger"
                      id={`remove-${item.id}`}
                      aria-label={`Remove "${item.title}"`}
                    >
                      Remove
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <a href={`${collectionPath(c.id)}/edit`} id="edit-collection">
          Edit or delete this collection
        </a>
      </p>
    </section>
  );
}

export function CollectionPage(props: {
  ctx: PageContext;
  collection: Collection;
  items: CardItem[];
  /** The site's root URL (for the feed and embed addresses people copy). */
  root: string;
  owner: boolean;
  notice?: string;
}): Html {
  const { ctx, collection: c, items } = props;
  const path = collectionPath(c.id);
  return (
    <Layout ctx={ctx} title={c.title} head={<CollectionHead collection={c} />}>
      <div class="with-sidebar">
        <article aria-labelledby="collection-title" data-collection-id={c.id}>
          {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
          <h1 id="collection-title">{c.title}</h1>
          <p class="muted" id="collection-meta">
            {'A collection by '}
            <a href={`/users/${encodeURIComponent(c.owner)}/collections`}>{c.owner}</a>
            {` · ${items.length} ${items.length === 1 ? 'item' : 'items'} · updated ${formatDate(c.updatedAt)}`}
            {c.visibility === 'unlisted' ? ' · unlisted (only people with the link see it)' : null}
          </p>
          {c.description ? (
            <section class="description" id="collection-description" aria-label="Description">
              {renderMarkdown(c.description)}
            </section>
          ) : null}
          {items[0] ? (
            <p>
              <a class="button" id="play-all" href={`/items/${items[0].id}`}>
                ▶ Play all
              </a>
            </p>
          ) : null}
          <ItemGrid items={items} id="collection-items" empty="This collection has no items yet." />
          {props.owner ? <Arrange ctx={ctx} c={c} items={items} /> : null}
        </article>
        <aside>
          <section class="panel" aria-labelledby="feeds-title">
            <h2 id="feeds-title">Follow</h2>
            <ul>
              <li>
                <a href={`${path}/feed.rss`} id="feed-rss">
                  RSS
                </a>
              </li>
              <li>
                <a href={`${path}/feed.atom`} id="feed-atom">
                  Atom
                </a>
              </li>
              <li>
                <a href={`${path}/feed.json`} id="feed-json">
                  JSON Feed
                </a>
              </li>
            </ul>
          </section>
          <EmbedPanel src={`${props.root}/embed/collections/${c.id}`} title={c.title} height={480} />
        </aside>
      </div>
    </Layout>
  );
}

/** `/users/:name/collections`: the public collections, and the owner's unlisted ones for them. */
export function UserCollectionsPage(props: {
  ctx: PageContext;
  username: string;
  collections: Collection[];
  own: boolean;
}): Html {
  const { ctx, username, collections } = props;
  return (
    <Layout ctx={ctx} title={`Collections by ${username}`}>
      <h1>Collections by {username}</h1>
      <p>
        <a href={`/users/${encodeURIComponent(username)}`}>← {username}'s items</a>
        {props.own ? (
          <>
            {' · '}
            <a href="/collections/new" id="new-collection">
              New collection
            </a>
          </>
        ) : null}
      </p>
      {collections.length === 0 ? (
        <p class="muted">No collections yet.</p>
      ) : (
        <ul id="collections">
          {collections.map((c) => (
            <li data-collection-id={c.id}>
              <a href={collectionPath(c.id)}>{c.title}</a>{' '}
              <span class="muted">
                {`${c.itemCount} ${c.itemCount === 1 ? 'item' : 'items'}`}
                {c.visibility === 'unlisted' ? ' · unlisted' : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}
