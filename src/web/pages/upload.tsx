/**
 * The upload page (`/upload`): a drop area with a file input (a plain, keyboard-reachable
 * `<input type="file">` inside a label), or a `.torrent` for torrent-only publishing (with what the
 * publisher must do: keep seeding; the site's tracker goes first in the torrent), and the item's
 * metadata (the declared fields: title, description, creator, date, language, series, episode...; a licence chooser with the Creative Commons
 * licences or another SPDX id, tags, channel). Several files (`multiple`) or a folder (a second input,
 * `webkitdirectory`) make one item with all of them. Without JavaScript the form posts everything as
 * multipart to `/upload`; with it, `/static/upload.js` sends a single media file over tus 1.0 with a
 * progress bar that survives a reload, then publishes with `POST /api/v1/items`, and several files as
 * the same multipart post with a progress bar per file. Refused input comes
 * back with the errors next to their fields and the typed values kept.
 */

import { type Channel, ITEM_FIELD_NAMES, type ItemFieldText } from '../../catalog/index.js';
import { type Html, h } from '../html/jsx.js';
import { Field, FormError, type FormErrors } from './components.js';
import { ItemFieldInputs } from './item-fields.js';
import { CsrfField, Layout, type PageContext } from './layout.js';

/**
 * The licences offered first: the Creative Commons 4.0 licences, CC0 and the Public Domain Mark, as
 * their canonical SPDX ids (`src/licenses.ts`).
 */
export const LICENSE_CHOICES: readonly { value: string; label: string }[] = [
  { value: 'CC-BY-4.0', label: 'CC BY 4.0 (Attribution)' },
  { value: 'CC-BY-SA-4.0', label: 'CC BY-SA 4.0 (Attribution-ShareAlike)' },
  { value: 'CC-BY-ND-4.0', label: 'CC BY-ND 4.0 (Attribution-NoDerivatives)' },
  { value: 'CC-BY-NC-4.0', label: 'CC BY-NC 4.0 (Attribution-NonCommercial)' },
  { value: 'CC-BY-NC-SA-4.0', label: 'CC BY-NC-SA 4.0 (Attribution-NonCommercial-ShareAlike)' },
  { value: 'CC-BY-NC-ND-4.0', label: 'CC BY-NC-ND 4.0 (Attribution-NonCommercial-NoDerivatives)' },
  { value: 'CC0-1.0', label: 'CC0 1.0 (no rights reserved)' },
  { value: 'CC-PDM-1.0', label: 'Public Domain Mark 1.0' },
];

/** What the visitor typed (kept when the form comes back with errors). */
export interface UploadValues extends ItemFieldText {
  mode?: string;
  license?: string;
  license_other?: string;
  tags?: string;
  channel?: string;
}

export function UploadPage(props: {
  ctx: PageContext;
  channels: readonly Channel[];
  values?: UploadValues;
  errors?: FormErrors;
  maxBytes: number;
}): Html {
  const { ctx, channels, errors } = props;
  const v = props.values ?? {};
  const mode = v.mode === 'torrent' ? 'torrent' : 'file';
  // The site's default licence (admin settings) preselected; one outside the list goes in "Another".
  const siteDefault = ctx.site?.defaultLicense ?? undefined;
  const listed = siteDefault === undefined || LICENSE_CHOICES.some((c) => c.value === siteDefault);
  const license = v.license ?? (listed ? (siteDefault ?? LICENSE_CHOICES[0]!.value) : 'other');
  const licenseOther = v.license_other ?? (listed ? undefined : siteDefault);
  const fileError = errors?.file;
  const torrentError = errors?.torrent;
  const licenseError = errors?.license;
  return (
    <Layout ctx={ctx} title="Upload">
      <h1>Publish media</h1>
      <p class="muted">
        Your file is shared over BitTorrent from this site's seed and its web seed; everyone who downloads it
        can help.
      </p>
      <FormError errors={errors} />
      <form
        id="upload-form"
        class="upload-form"
        method="post"
        action="/upload"
        enctype="multipart/form-data"
        data-max-bytes={String(props.maxBytes)}
        data-item-fields={ITEM_FIELD_NAMES.join(' ')}
      >
        <CsrfField ctx={ctx} />
        <fieldset class="mode">
          <legend>What to publish</legend>
          <label>
            <input type="radio" name="mode" value="file" id="mode-file" checked={mode === 'file'} /> A media
            file (this site seeds it)
          </label>
          <label>
            <input type="radio" name="mode" value="torrent" id="mode-torrent" checked={mode === 'torrent'} />{' '}
            A <code>.torrent</code> only (the swarm already has the data)
          </label>
        </fieldset>

        <div class="dropzone" id="dropzone" data-mode="file">
          <label for="f-file">
            <strong>Choose media files</strong> or drop them here
          </label>
          <input
            type="file"
            id="f-file"
            name="file"
            multiple
            accept="video/*,audio/*,image/*,application/pdf,text/*"
            aria-invalid={fileError ? 'true' : undefined}
            aria-describedby={fileError ? 'f-file-error' : 'f-file-hint'}
          />
          <label for="f-folder" class="folder-pick">
            Or a whole folder:
          </label>
          <input
            type="file"
            id="f-folder"
            name="file"
            webkitdirectory
            multiple
            aria-describedby="f-file-hint"
          />
          <p class="hint" id="f-file-hint">
            Video, audio, images or documents: one file, several (one item with all of them), or a folder's
            files (kept under their own names). Any format: the site makes a version that plays in browsers
            and keeps your original for download. A single large file resumes where it stopped if the
            connection or the page is interrupted.
          </p>
          <p class="chosen" id="chosen-file" aria-live="polite"></p>
          {fileError ? (
            <p class="field-error" id="f-file-error">
              {fileError}
            </p>
          ) : null}
        </div>

        <div class="field torrent-only" id="torrent-field" data-mode="torrent">
          <label for="f-torrent">The .torrent file</label>
          <input
            type="file"
            id="f-torrent"
            name="torrent"
            accept=".torrent,application/x-bittorrent"
            aria-invalid={torrentError ? 'true' : undefined}
            aria-describedby={torrentError ? 'f-torrent-error' : 'f-torrent-hint'}
          />
          <div class="hint" id="f-torrent-hint">
            <p>The site does not receive your files: it fetches them from the swarm. So:</p>
            <ul>
              <li>
                <strong>Keep seeding</strong> this torrent in your BitTorrent client until the item's page
                says <em>archived</em> (before that it says <em>waiting for peers</em>, then{' '}
                <em>archiving 43%</em>). Your client may start before or after you publish.
              </li>
              <li>
                The site puts <strong>its own tracker first</strong> in the torrent's tracker list and keeps
                yours after it. Only the part outside the torrent's <code>info</code> changes, so the info
                hash stays the same and your client's copy keeps working.
              </li>
              <li>
                To announce to this site's tracker too, download the <code>.torrent</code> from the item's
                page once published and seed with that one.
              </li>
            </ul>
          </div>
          {torrentError ? (
            <p class="field-error" id="f-torrent-error">
              {torrentError}
            </p>
          ) : null}
        </div>

        <div class="upload-status" id="upload-status" hidden>
          <label for="upload-progress">Uploading</label>
          <progress id="upload-progress" max="100" value="0" aria-describedby="upload-progress-text">
            0%
          </progress>
          <p id="upload-progress-text" aria-live="polite">
            Waiting to start
          </p>
          <ul class="upload-files" id="upload-files" hidden></ul>
          <button type="button" id="upload-pause" class="secondary">
            Pause
          </button>
        </div>

        <ItemFieldInputs values={v} errors={errors} />
        <div class="field">
          <label for="f-license">Licence</label>
          <select
            id="f-license"
            name="license"
            aria-invalid={licenseError ? 'true' : undefined}
            aria-describedby={licenseError ? 'f-license-error' : 'f-license-hint'}
          >
            {LICENSE_CHOICES.map((c) => (
              <option value={c.value} selected={license === c.value}>
                {c.label}
              </option>
            ))}
            <option value="other" selected={license === 'other'}>
              Another licence (SPDX id)
            </option>
            <option value="" selected={license === ''}>
              No licence (all rights reserved)
            </option>
          </select>
          <p class="hint" id="f-license-hint">
            Creative Commons licences let others share your work.{' '}
            <a href="https://creativecommons.org/choose/" rel="noopener">
              Which one?
            </a>
          </p>
          {licenseError ? (
            <p class="field-error" id="f-license-error">
              {licenseError}
            </p>
          ) : null}
        </div>
        <Field
          name="license_other"
          label="SPDX licence id (when “Another licence”)"
          value={licenseOther}
          errors={errors}
          hint="e.g. CC-BY-3.0, MIT, GPL-3.0-or-later, FAL-1.3."
        />
        <Field name="tags" label="Tags" value={v.tags} errors={errors} hint="Separated by commas." />
        <div class="field">
          <label for="f-channel">Channel</label>
          <select id="f-channel" name="channel">
            <option value="">No channel</option>
            {channels.map((c) => (
              <option value={c.slug} selected={v.channel === c.slug}>
                {c.title}
              </option>
            ))}
          </select>
        </div>
        <p>
          <button type="submit" id="upload-submit">
            Publish
          </button>
        </p>
      </form>
      <script type="module" src={ctx.assets.url('upload.js')}></script>
    </Layout>
  );
}
