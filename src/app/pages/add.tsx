/**
 * Adding shows (`/add`): paste an address (`form#add-show`: a feed, or a web page that names its
 * feed, such as a Seedcast channel or item page), import the list exported by another podcast app
 * (`form#import-opml`: an OPML file or its text pasted), and the link to export ours
 * (`/shows.opml`). Errors come back beside their field with what was typed kept.
 */

import { type Html, h } from '../../web/html/jsx.js';
import { Field, type FormErrors } from '../../web/pages/components.js';
import type { AppContext } from '../context.js';
import { AppLayout, CsrfField } from '../layout.js';

export function AddPage(props: {
  ctx: AppContext;
  url?: string;
  opmlText?: string;
  errors?: FormErrors;
}): Html {
  const { ctx, errors } = props;
  return (
    <AppLayout ctx={ctx} title="Add a show" current="/add">
      <h1>Add a show</h1>
      <section class="panel" aria-labelledby="add-title">
        <h2 id="add-title">By its address</h2>
        <form id="add-show" class="form" method="post" action="/add">
          <CsrfField ctx={ctx} />
          <Field
            name="url"
            label="Feed or web page address"
            type="url"
            value={props.url}
            errors={errors}
            required
            autocomplete="url"
            hint="A podcast's feed (RSS, Atom or JSON Feed), or a page that names its feed: a Seedcast channel or item page, a podcast's website."
          />
          <p class="form-actions">
            <button type="submit">Follow</button>
            <span class="add-status" id="add-status" role="status" aria-live="polite"></span>
          </p>
        </form>
      </section>
      <section class="panel" aria-labelledby="import-title">
        <h2 id="import-title">Import from another podcast app</h2>
        <form
          id="import-opml"
          class="form"
          method="post"
          action={`/add/opml?_csrf=${encodeURIComponent(ctx.secret.csrf)}`}
          enctype="multipart/form-data"
        >
          <CsrfField ctx={ctx} />
          {errors?.opml ? (
            <p class="field-error" id="f-opml-error" role="alert">
              {errors.opml}
            </p>
          ) : null}
          <div class="field">
            <label for="f-opml">OPML file</label>
            <input
              type="file"
              id="f-opml"
              name="opml"
              accept=".opml,.xml,text/x-opml,application/xml,text/xml"
              aria-describedby={`f-opml-hint${errors?.opml ? ' f-opml-error' : ''}`}
            />
            <p class="hint" id="f-opml-hint">
              Podcast apps export the shows you follow as an OPML file (“Export subscriptions”).
            </p>
          </div>
          <Field name="opml_text" label="… or paste its text" value={props.opmlText} multiline />
          <p class="form-actions">
            <button type="submit">Import</button>
          </p>
        </form>
      </section>
      <section class="panel" aria-labelledby="export-title">
        <h2 id="export-title">Export</h2>
        <p>
          <a id="export-opml" href="/shows.opml" download="seedcast-shows.opml">
            Download the shows you follow (OPML)
          </a>
          , to import them into another podcast app or another Seedcast.
        </p>
      </section>
    </AppLayout>
  );
}
