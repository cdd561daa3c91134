/**
 * The forms of a collection: `/collections/new` (title, description, visibility; with `?item=ID`
 * the new collection starts with that item) and `/collections/:id/edit` (the same fields, plus
 * "Delete this collection" behind a confirmation checkbox). Errors show next to their field and
 * what was typed is kept. Views only: no I/O.
 */

import { Fragment, type Html, h } from '../html/jsx.js';
import { Field, type FormErrors, Notice } from './components.js';
import { CsrfField, Layout, type PageContext } from './layout.js';

export interface CollectionFormValues {
  title?: string;
  description?: string;
  visibility?: string;
}

function Fields(props: { values: CollectionFormValues; errors: FormErrors }): Html {
  const { values, errors } = props;
  const visibility = values.visibility === 'unlisted' ? 'unlisted' : 'public';
  return (
    <>
      <Field
        name="title"
        label="Title"
        value={values.title}
        errors={errors}
        required
        hint="1 to 200 characters."
      />
      <Field
        name="description"
        label="Description"
        value={values.description}
        errors={errors}
        multiline
        hint="Optional. Markdown: *emphasis*, [links](https://example.org), lists."
      />
      <fieldset class="field">
        <legend>Who can see it</legend>
        <label>
          <input
            type="radio"
            name="visibility"
            value="public"
            id="f-visibility-public"
            checked={visibility === 'public'}
          />{' '}
          Public: listed on your page
        </label>
        <label>
          <input
            type="radio"
            name="visibility"
            value="unlisted"
            id="f-visibility-unlisted"
            checked={visibility === 'unlisted'}
          />{' '}
          Unlisted: only people with the link
        </label>
        {errors.visibility ? <p class="field-error">{errors.visibility}</p> : null}
      </fieldset>
    </>
  );
}

export function NewCollectionPage(props: {
  ctx: PageContext;
  values?: CollectionFormValues;
  errors?: FormErrors;
  /** The item the collection starts with, when made from an item page. */
  item?: { id: number; title: string };
}): Html {
  const { ctx, item } = props;
  const errors = props.errors ?? {};
  return (
    <Layout ctx={ctx} title="New collection">
      <h1>New collection</h1>
      {errors.form ? <Notice kind="error">{errors.form}</Notice> : null}
      {item ? (
        <p>
          It will start with <a href={`/items/${item.id}`}>{item.title}</a>.
        </p>
      ) : null}
      <form method="post" action="/collections/new" class="form" id="collection-form">
        <CsrfField ctx={ctx} />
        {item ? <input type="hidden" name="item" value={String(item.id)} /> : null}
        <Fields values={props.values ?? {}} errors={errors} />
        <button type="submit" id="create-collection">
          Create collection
        </button>
      </form>
    </Layout>
  );
}

export function EditCollectionPage(props: {
  ctx: PageContext;
  id: number;
  values: CollectionFormValues;
  errors?: FormErrors;
}): Html {
  const { ctx, id } = props;
  const errors = props.errors ?? {};
  return (
    <Layout ctx={ctx} title={`Edit ${props.values.title ?? 'collection'}`}>
      <h1>Edit collection</h1>
      <p>
        <a href={`/collections/${id}`}>← Back to the collection</a>
      </p>
      {errors.form ? <Notice kind="error">{errors.form}</Notice> : null}
      <form method="post" action={`/collections/${id}/edit`} class="form" id="collection-form">
        <CsrfField ctx={ctx} />
        <Fields values={props.values} errors={errors} />
        <button type="submit" id="save-collection">
          Save
        </button>
      </form>
      <section class="panel collection-section" aria-labelledby="delete-title" id="delete">
        <h2 id="delete-title">Delete this collection</h2>
        <p>The collection goes away; its items stay on the site.</p>
        <form method="post" action={`/collections/${id}/delete`} class="form">
          <CsrfField ctx={ctx} />
          <p>
            <label>
              <input type="checkbox" name="confirm" value="yes" id="confirm-delete" required /> Yes, delete it
            </label>
          </p>
          {errors.confirm ? <p class="field-error">{errors.confirm}</p> : null}
          <button type="submit" class="danger" id="delete-collection">
            Delete collection
          </button>
        </form>
      </section>
    </Layout>
  );
}
