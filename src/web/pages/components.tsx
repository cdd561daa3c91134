/**
 * Building blocks shared by pages: item cards and grids, form fields that show
 * their error next to the input (and keep what was typed), the form's own error, the embed panel,
 * pagination links, and notices.
 */

import type { Item } from '../../catalog/index.js';
import { type Child, type Html, h, raw } from '../html/jsx.js';
import { formatBytes, formatDate, formatDuration } from './format.js';

export function itemUrl(id: number): string {
  return `/items/${id}`;
}

/** What the cards need: an `Item`, or the lighter rows a search returns. */
export interface CardItem {
  id: number;
  title: string;
  creator: string;
  mediaType: string;
  createdAt: number;
  totalLength?: number;
  durationMs?: number | null;
  license?: string | null;
  /** Seeders, when known. */
  seeders?: number;
  /** The item has a thumbnail (served at `/items/:id/thumbnail.jpg`). */
  thumbnail?: boolean;
  /** A search hit inside captions: the link plays from there (`#t=`). */
  startSeconds?: number;
}

export function ItemCard(props: { item: CardItem }): Html {
  const { item } = props;
  return (
    <li class="item-card" data-item-id={item.id}>
      {item.thumbnail ? (
        <img class="thumb" src={`${itemUrl(item.id)}/thumbnail.jpg`} alt="" loading="lazy" decoding="async" />
      ) : null}
      <h3>
        <a
          href={
            item.startSeconds === undefined ? itemUrl(item.id) : `${itemUrl(item.id)}#t=${item.startSeconds}`
          }
        >
          {item.title}
        </a>
      </h3>
      {item.startSeconds !== undefined ? (
        <p class="meta moment">Said at {formatDuration(item.startSeconds * 1000)} in the captions</p>
      ) : null}
      <p class="meta">
        <span class="pill">{item.mediaType}</span> {item.creator ? `${item.creator} · ` : ''}
        <time datetime={new Date(item.createdAt).toISOString()}>{formatDate(item.createdAt)}</time>
        {item.durationMs ? ` · ${formatDuration(item.durationMs)}` : ''}
        {item.totalLength !== undefined ? ` · ${formatBytes(item.totalLength)}` : ''}
        {item.seeders !== undefined ? ` · ${item.seeders} seeding` : ''}
      </p>
    </li>
  );
}

export function ItemGrid(props: { items: readonly CardItem[]; empty?: string; id?: string }): Html {
  if (props.items.length === 0) return <p class="muted">{props.empty ?? 'Nothing here yet.'}</p>;
  return (
    <ul class="item-grid" id={props.id}>
      {props.items.map((item) => (
        <ItemCard item={item} />
      ))}
    </ul>
  );
}

export function itemToCard(item: Item, seeders?: number): CardItem {
  return {
    id: item.id,
    title: item.title,
    creator: item.creator,
    mediaType: item.mediaType,
    createdAt: item.createdAt,
    totalLength: item.totalLength,
    durationMs: item.durationMs,
    license: item.license,
    seeders,
    thumbnail: item.thumbnailKey !== null,
  };
}

/** Errors of a form, by field name; `form` is for errors that belong to no one field. */
export type FormErrors = Record<string, string | undefined>;

/**
 * A labelled input with its hint and error: the error is linked with `aria-describedby` and the input
 * marked `aria-invalid`, and `value` (what the visitor typed) is put back.
 */
export function Field(props: {
  name: string;
  label: string;
  type?: string;
  value?: string;
  errors?: FormErrors;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  multiline?: boolean;
  idPrefix?: string;
}): Html {
  const id = `${props.idPrefix ?? 'f'}-${props.name}`;
  const error = props.errors?.[props.name];
  const described = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = {
    id,
    name: props.name,
    required: props.required,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': described || undefined,
    autocomplete: props.autocomplete,
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common}>{props.value ?? ''}</textarea>
      ) : (
        <input type={props.type ?? 'text'} value={props.value} {...common} />
      )}
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Notice(props: { kind?: 'error' | 'ok'; children?: Child; id?: string }): Html {
  return (
    <div
      class={`notice ${props.kind ?? ''}`}
      role={props.kind === 'error' ? 'alert' : 'status'}
      id={props.id}
    >
      {props.children}
    </div>
  );
}

/** The form's own error (`errors.form`, one not at a field) above it, when there is one. */
export function FormError(props: { errors?: FormErrors | undefined }): Html | null {
  return props.errors?.form ? (
    <Notice kind="error" id="form-error">
      {props.errors.form}
    </Notice>
  ) : null;
}

/**
 * The "Embed" panel of the item and collection pages: an `<iframe>` snippet to copy (the title's
 * markup characters blanked), with a Copy button `site.js` shows.
 */
export function EmbedPanel(props: { src: string; title: string; height: number }): Html {
  const code = `<iframe src="${props.src}" width="640" height="${props.height}" title="${props.title.replace(/[&<>"']/g, ' ')}" allowfullscreen loading="lazy"></iframe>`;
  return (
    <section class="panel" aria-labelledby="embed-title">
      <h2 id="embed-title">Embed</h2>
      <label for="embed-code">Copy this into your page:</label>
      <textarea id="embed-code" class="embed-code" readonly rows="4">
        {code}
      </textarea>
      <button type="button" class="secondary" data-copy="embed-code" hidden>
        Copy
      </button>
    </section>
  );
}

/** Page links: previous, a window of numbers around the current page, next. */
export function Pagination(props: { page: number; pages: number; href: (page: number) => string }): Html {
  const { page, pages } = props;
  if (pages <= 1) return raw('');
  const numbers: number[] = [];
  for (let p = Math.max(1, page - 3); p <= Math.min(pages, page + 3); p++) numbers.push(p);
  return (
    <nav aria-label="Pages">
      <ul class="pagination">
        {page > 1 ? (
          <li>
            <a href={props.href(page - 1)} rel="prev">
              ← Previous
            </a>
          </li>
        ) : null}
        {numbers.map((p) => (
          <li>
            {p === page ? (
              <span aria-current="page">{p}</span>
            ) : (
              <a href={props.href(p)} aria-label={`Page ${p}`}>
                {p}
              </a>
            )}
          </li>
        ))}
        {page < pages ? (
          <li>
            <a href={props.href(page + 1)} rel="next">
              Next →
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
