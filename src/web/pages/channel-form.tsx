/**
 * The channel forms: `/channels/new` (name, title, description, category, medium, avatar and banner)
 * and `/channels/:name/edit` (the same but the name, which is the channel's address; plus deleting
 * the channel, confirmed by a checkbox). Both post `multipart/form-data` with the CSRF token; errors
 * come back beside their fields with what was typed kept.
 */

import { CHANNEL_MEDIA, type Channel } from '../../catalog/index.js';
import { type Html, h } from '../html/jsx.js';
import { ChannelAvatar, channelImagePath } from './channel-parts.js';
import { Field, type FormErrors, Notice } from './components.js';
import { CsrfField, Layout, type PageContext } from './layout.js';

export interface ChannelFormValues {
  name?: string;
  title?: string;
  description?: string;
  category?: string;
  medium?: string;
}

function ImageField(props: {
  name: 'avatar' | 'banner';
  label: string;
  hint: string;
  errors?: FormErrors;
}): Html {
  const id = `f-${props.name}`;
  const error = props.errors?.[props.name];
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        type="file"
        id={id}
        name={props.name}
        accept="image/png,image/jpeg,image/webp,image/gif"
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? 'true' : undefined}
      />
      <p class="hint" id={`${id}-hint`}>
        {props.hint}
      </p>
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function CommonFields(props: { values: ChannelFormValues; errors?: FormErrors }): Html {
  const { values: v, errors } = props;
  const mediumError = errors?.medium;
  return (
    <div>
      <Field name="title" label="Title" value={v.title} errors={errors} required />
      <Field
        name="description"
        label="Description"
        value={v.description}
        errors={errors}
        multiline
        hint="Markdown: **bold**, _italic_, [links](https://example.org), lists."
      />
      <Field
        name="category"
        label="Category"
        value={v.category}
        errors={errors}
        hint="The podcast category, e.g. Arts, or Technology > Podcasting."
      />
      <div class="field">
        <label for="f-medium">Medium</label>
        <select id="f-medium" name="medium" aria-invalid={mediumError ? 'true' : undefined}>
          {CHANNEL_MEDIA.map((m) => (
            <option value={m} selected={(v.medium ?? 'podcast') === m}>
              {m}
            </option>
          ))}
        </select>
        {mediumError ? <p class="field-error">{mediumError}</p> : null}
      </div>
      <ImageField
        name="avatar"
        label="Avatar"
        hint="A square PNG, JPEG, WebP or GIF image, at most 5 MiB (shown on the page and in podcast apps)."
        errors={errors}
      />
      <ImageField name="banner" label="Banner" hint="A wide image, at most 5 MiB." errors={errors} />
    </div>
  );
}

export function NewChannelPage(props: {
  ctx: PageContext;
  values?: ChannelFormValues;
  errors?: FormErrors;
}): Html {
  const { ctx, errors } = props;
  const v = props.values ?? {};
  return (
    <Layout ctx={ctx} title="New channel">
      <h1>New channel</h1>
      {errors?.form ? <Notice kind="error">{errors.form}</Notice> : null}
      <form id="channel-form" method="post" action="/channels/new" enctype="multipart/form-data">
        <CsrfField ctx={ctx} />
        <Field
          name="name"
          label="Name"
          value={v.name}
          errors={errors}
          required
          hint="The channel's address: /channels/<name>. 2 to 64 lower-case letters, digits or “-”."
        />
        <CommonFields values={v} errors={errors} />
        <p>
          <button type="submit" id="channel-submit">
            Create channel
          </button>
        </p>
      </form>
    </Layout>
  );
}

export function EditChannelPage(props: {
  ctx: PageContext;
  channel: Channel;
  values?: ChannelFormValues;
  errors?: FormErrors;
}): Html {
  const { ctx, channel, errors } = props;
  const v = props.values ?? channel;
  const base = `/channels/${channel.slug}`;
  const banner = channelImagePath(channel, 'banner');
  return (
    <Layout ctx={ctx} title={`Edit ${channel.title}`}>
      <h1>
        Edit <a href={base}>{channel.title}</a>
      </h1>
      {errors?.form ? <Notice kind="error">{errors.form}</Notice> : null}
      <div class="channel-head">
        <ChannelAvatar channel={channel} size={64} />
        {banner ? <img class="channel-banner-small" src={banner} alt="The current banner" /> : null}
      </div>
      <form id="channel-form" method="post" action={`${base}/edit`} enctype="multipart/form-data">
        <CsrfField ctx={ctx} />
        <CommonFields values={v} errors={errors} />
        <p>
          <button type="submit" id="channel-submit">
            Save
          </button>
        </p>
      </form>
      <section aria-labelledby="delete-title" class="danger-zone">
        <h2 id="delete-title">Delete this channel</h2>
        <p>Its items stay published, without a channel; its followers stop following it.</p>
        <form id="channel-delete" method="post" action={`${base}/delete`}>
          <CsrfField ctx={ctx} />
          <p>
            <input type="checkbox" id="f-confirm" name="confirm" value="yes" required />{' '}
            <label for="f-confirm">Yes, delete “{channel.title}”</label>
          </p>
          {errors?.confirm ? <p class="field-error">{errors.confirm}</p> : null}
          <button type="submit" id="channel-delete-submit" class="danger">
            Delete channel
          </button>
        </form>
      </section>
    </Layout>
  );
}
