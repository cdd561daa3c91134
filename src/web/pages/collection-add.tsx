/**
 * "Add to collection" on an item page, for signed-in visitors: a select of their collections (a
 * form posting to `POST /collections/:id/items`, which answers 303 back here with `?collected=ID`)
 * and a link to start a new collection with this item. Without JavaScript the form's action is the
 * generic `/collections/add` route, which reads the chosen collection from the select. View only.
 */

import { type Html, h } from '../html/jsx.js';
import { Notice } from './components.js';
import { CsrfField, type PageContext } from './layout.js';

export function CollectionAddForm(props: {
  ctx: PageContext;
  itemId: number;
  collections: readonly { id: number; title: string }[];
  /** The collection the item was just added to (the redirect's `?collected=`). */
  added?: { id: number; title: string };
}): Html {
  const { ctx, itemId, collections, added } = props;
  return (
    <section class="panel" aria-labelledby="collection-add-title" id="collection-add">
      <h2 id="collection-add-title">Add to collection</h2>
      {added ? (
        <Notice kind="ok" id="collection-added">
          Added to <a href={`/collections/${added.id}`}>{added.title}</a>.
        </Notice>
      ) : null}
      {collections.length > 0 ? (
        <form method="post" action="/collections/add" class="form">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="item" value={String(itemId)} />
          <label for="collection-select">Collection</label>
          <select id="collection-select" name="collection">
            {collections.map((c) => (
              <option value={String(c.id)}>{c.title}</option>
            ))}
          </select>
          <button type="submit" id="collection-add-submit">
            Add
          </button>
        </form>
      ) : (
        <p class="muted">You have no collections yet.</p>
      )}
      <p>
        <a href={`/collections/new?item=${itemId}`} id="collection-new">
          New collection with this item
        </a>
      </p>
    </section>
  );
}
