/**
 * The owner's pages of an item (issue 19): the edit form (`/items/:id/edit`: every metadata field,
 * the channel among the owner's own, a new thumbnail, links to the captions panel) and the delete
 * confirmation (`/items/:id/delete`: what will be removed). Both carry the CSRF field; the edit form
 * is multipart so the thumbnail travels with the fields. Errors come back per field, with what was
 * typed kept.
 */

import {
  type Channel,
  fieldText,
  ITEM_FIELD_NAMES,
  type Item,
  type ItemFieldText,
} from '../../catalog/index.js';
import { type Html, h, raw } from '../html/jsx.js';
import { Field, FormError, type FormErrors, Notice } from './components.js';
import { formatBytes } from './format.js';
import { ItemFieldInputs } from './item-fields.js';
import { CsrfField, Layout, type PageContext } from './layout.js';
import { LICENSE_CHOICES } from './upload.js';

/** The form's text values (what the item holds, or what the owner typed). */
export interface ItemEditValues extends ItemFieldText {
  license: string;
  tags: string;
  channel: string;
}

export function editValues(item: Item, channels: readonly Channel[]): ItemEditValues {
  return {
    ...Object.fromEntries(ITEM_FIELD_NAMES.map((name) => [name, fieldText(item, name)])),
    license: item.license ?? '',
    tags: item.tags.join(', '),
    channel: channels.find((c) => c.id === item.channelId)?.slug ?? '',
  };
}

export interface ItemEditData {
  item: Item;
  values: ItemEditValues;
  /** The owner's channels (the item may move among them). */
  channels: readonly Channel[];
  errors?: FormErrors;
  /** Whether the item page has a captions panel to link to. */
  captions: boolean;
  saved?: boolean;
}

function FieldError(props: { id: string; error: string | undefined }): Html {
  return props.error ? (
    <p class="field-error" id={`${props.id}-error`}>
      {props.error}
    </p>
  ) : (
    raw('')
  );
}

export function ItemEditPage(props: { ctx: PageContext; data: ItemEditData }): Html {
  const { ctx, data } = props;
  const { item, values: v, errors } = data;
  const invalid = (name: string) => (errors?.[name] ? 'true' : undefined);
  return (
    <Layout ctx={ctx} title={`Edit: ${item.title}`}>
      <p>
        <a href={`/items/${item.id}`}>← Back to the item</a>
      </p>
      <h1>Edit “{item.title}”</h1>
      {data.saved ? (
        <Notice kind="ok" id="edit-saved">
          Saved.
        </Notice>
      ) : null}
      <FormError errors={errors} />
      <form
        class="form"
        method="post"
        action={`/items/${item.id}/edit`}
        enctype="multipart/form-data"
        id="item-edit-form"
        novalidate
      >
        <CsrfField ctx={ctx} />
        <ItemFieldInputs values={v} errors={errors} />
        <div class="field">
          <label for="f-license">Licence</label>
          <input
            type="text"
            id="f-license"
            name="license"
            value={v.license}
            list="license-choices"
            aria-invalid={invalid('license')}
            aria-describedby={errors?.license ? 'f-license-error f-license-hint' : 'f-license-hint'}
          />
          <datalist id="license-choices">
            {LICENSE_CHOICES.map((c) => (
              <option value={c.value}>{c.label}</option>
            ))}
          </datalist>
          <p class="hint" id="f-license-hint">
            An SPDX id (CC-BY-4.0, CC0-1.0, MIT...) or a Creative Commons URL; empty for none.
          </p>
          <FieldError id="f-license" error={errors?.license} />
        </div>
        <Field name="tags" label="Tags" value={v.tags} errors={errors} hint="Separated by commas." />
        <div class="field">
          <label for="f-channel">Channel</label>
          <select
            id="f-channel"
            name="channel"
            aria-invalid={invalid('channel')}
            aria-describedby={errors?.channel ? 'f-channel-error' : undefined}
          >
            <option value="" selected={v.channel === ''}>
              None
            </option>
            {data.channels.map((c) => (
              <option value={c.slug} selected={v.channel === c.slug}>
                {c.title}
              </option>
            ))}
          </select>
          <FieldError id="f-channel" error={errors?.channel} />
        </div>
        <div class="field">
          <label for="f-thumbnail">New thumbnail</label>
          {item.thumbnailKey ? (
            <img
              src={`/items/${item.id}/thumbnail.jpg`}
              alt="The current thumbnail"
              class="edit-thumbnail"
              id="current-thumbnail"
            />
          ) : null}
          <input
            type="file"
            id="f-thumbnail"
            name="thumbnail"
            accept="image/jpeg,image/png,image/webp"
            aria-invalid={invalid('thumbnail')}
            aria-describedby={errors?.thumbnail ? 'f-thumbnail-error f-thumbnail-hint' : 'f-thumbnail-hint'}
          />
          <p class="hint" id="f-thumbnail-hint">
            JPEG, PNG or WebP, at most 5 MiB. Leave empty to keep the current one.
          </p>
          <FieldError id="f-thumbnail" error={errors?.thumbnail} />
        </div>
        <p class="form-actions">
          <button type="submit" id="edit-submit">
            Save
          </button>{' '}
          <a href={`/items/${item.id}`}>Cancel</a>
        </p>
      </form>
      <section aria-labelledby="edit-more-title">
        <h2 id="edit-more-title">More</h2>
        <ul>
          {data.captions ? (
            <li>
              <a href={`/items/${item.id}#captions`} id="captions-link">
                Captions and chapters
              </a>{' '}
              <span class="muted">(upload WebVTT or SRT files and edit chapters on the item page)</span>
            </li>
          ) : null}
          <li>
            <a href={`/items/${item.id}/delete`} id="delete-link">
              Delete this item
            </a>
          </li>
        </ul>
      </section>
    </Layout>
  );
}

/** What deleting removes, and the button that does it. */
export function ItemDeletePage(props: { ctx: PageContext; item: Item; captions: number }): Html {
  const { ctx, item } = props;
  const stored = item.files.filter((f) => f.blobKey !== null);
  return (
    <Layout ctx={ctx} title={`Delete: ${item.title}`}>
      <h1>Delete “{item.title}”?</h1>
      <p>This cannot be undone. Deleting removes:</p>
      <ul id="delete-what">
        <li>
          the item's page, its metadata, comments and favourites, and its place in search, feeds and
          collections;
        </li>
        {stored.length > 0 ? (
          <li>
            {stored.length === 1 ? 'its file' : `its ${stored.length} files`} (
            {formatBytes(stored.reduce((n, f) => n + f.length, 0))}) and the site's seeding of them;
          </li>
        ) : (
          <li>the site's tracking of its torrent (the publisher's seeders keep their copies);</li>
        )}
        <li>
          the .torrent file, the thumbnail, any transcoded copies{props.captions > 0 ? ' and captions' : ''}.
        </li>
      </ul>
      <form method="post" action={`/items/${item.id}/delete`} id="delete-form">
        <CsrfField ctx={ctx} />
        <button type="submit" class="danger" id="delete-confirm">
          Delete for good
        </button>{' '}
        <a href={`/items/${item.id}`}>Cancel</a>
      </form>
    </Layout>
  );
}
