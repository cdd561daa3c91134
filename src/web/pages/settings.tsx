/**
 * The site admin's pages (issue 19): the settings form (`/admin/settings`: name, description, about
 * in Markdown with a link to preview it on `/about`, registration mode, default licence, contact,
 * default quota and largest upload, P2P default), the about page (`/about`: the admin's Markdown or a
 * default text explaining Seedcast, and the contact), the home page's introduction with its Publish
 * call to action, and the register page's parts that depend on the registration mode (closed
 * notice, invite field, waiting-for-approval notice).
 */

import type { AdminSettings, SiteProfile } from '../../catalog/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { renderMarkdown } from '../html/markdown.js';
import { Field, FormError, type FormErrors, Notice } from './components.js';
import { CsrfField, Layout, type PageContext, siteOf } from './layout.js';

const DEFAULT_ABOUT = `This site runs **Seedcast**: people publish audio, video and other media here, and everyone
downloads it over **BitTorrent**. The site seeds every file it keeps, so a download always starts; each
viewer whose client keeps seeding helps share it further, so popular items cost the site little.

Every item has a page with a player, a \`.torrent\` file and a magnet link, and the site publishes
feeds (RSS, Atom, JSON Feed) for podcast apps and feed readers.`;

function Contact(props: { site: SiteProfile }): Html {
  const c = props.site.contact;
  if (!c) return <></>;
  const href = c.includes('@') && !c.startsWith('http') ? `mailto:${c}` : c;
  return (
    <p id="site-contact">
      Contact: <a href={href}>{c}</a>
    </p>
  );
}

export function AboutPage(props: { ctx: PageContext }): Html {
  const site = siteOf(props.ctx);
  return (
    <Layout ctx={props.ctx} title="About">
      <h1>About {site.name}</h1>
      {site.description ? <p class="lead">{site.description}</p> : null}
      <div class="markdown" id="about">
        {renderMarkdown(site.about.trim() ? site.about : DEFAULT_ABOUT)}
      </div>
      <Contact site={site} />
    </Layout>
  );
}

/** The top of the home page: what the site is, and the way to publish. */
export function SiteIntro(props: { ctx: PageContext }): Html {
  const { ctx } = props;
  const site = siteOf(ctx);
  const closed = site.registration === 'closed' && !ctx.firstRun;
  const publish = ctx.visitor.user ? '/upload' : closed ? '/login?next=%2Fupload' : '/register';
  return (
    <section class="site-intro" id="site-intro" aria-labelledby="site-title">
      <h1 id="site-title">{site.name}</h1>
      <p id="site-description">{site.description}</p>
      <p>
        <a class="cta button" id="publish-cta" href={publish}>
          Publish
        </a>{' '}
        <span class="muted">
          {ctx.visitor.user
            ? 'Upload a file or a torrent: the site seeds it and makes its feeds.'
            : closed
              ? 'Log in to publish.'
              : 'Create an account, then upload: the site seeds it and makes its feeds.'}
        </span>{' '}
        <a href="/about">About this site</a>
      </p>
    </section>
  );
}

/** The register page when nobody may register. */
export function RegistrationClosedPage(props: { ctx: PageContext }): Html {
  const site = siteOf(props.ctx);
  return (
    <Layout ctx={props.ctx} title="Register">
      <h1>Register</h1>
      <Notice id="registration-closed">Registration is closed on this site.</Notice>
      {site.contact ? <Contact site={site} /> : <p>Ask the people who run it for an account.</p>}
      <p>
        Already registered? <a href="/login">Log in</a>.
      </p>
    </Layout>
  );
}

/** The register form's extra field and notes for the site's mode. */
export function RegistrationModeFields(props: {
  ctx: PageContext;
  invite?: string;
  errors?: FormErrors;
}): Html {
  const { ctx } = props;
  if (ctx.firstRun) return <p class="muted">This first account becomes the site's admin.</p>;
  const mode = siteOf(ctx).registration;
  if (mode === 'invite')
    return (
      <Field
        name="invite"
        label="Invite code"
        value={props.invite}
        errors={props.errors}
        required
        hint="This site registers by invitation: paste the code you were given."
      />
    );
  if (mode === 'approval') return <p class="muted">An admin approves new accounts before they can log in.</p>;
  return <></>;
}

/** After registering on a site that approves accounts. */
export function PendingPage(props: { ctx: PageContext; username: string }): Html {
  return (
    <Layout ctx={props.ctx} title="Waiting for approval">
      <h1>Waiting for approval</h1>
      <Notice kind="ok" id="pending">
        Your account {props.username} was created. An admin of this site approves new accounts: you can log in
        once they have.
      </Notice>
    </Layout>
  );
}

const REGISTRATION_LABELS: Record<SiteProfile['registration'], string> = {
  open: 'Open: anyone may register',
  closed: 'Closed: nobody may register',
  invite: 'Invite only: a single-use code from an admin',
  approval: 'Approval: an admin approves each new account',
};

const mib = (bytes: number | null) =>
  bytes === null ? '' : String(Math.round((bytes / 1024 ** 2) * 100) / 100);

export function SettingsPage(props: {
  ctx: PageContext;
  settings: AdminSettings;
  /** The form as sent, after an error. */
  values?: Record<string, string | undefined>;
  errors?: FormErrors;
  notice?: string;
}): Html {
  const { ctx, settings: s, errors } = props;
  const v = props.values ?? {};
  const val = (name: string, fallback: string) => v[name] ?? fallback;
  return (
    <Layout ctx={ctx} title="Site settings">
      <h1>Site settings</h1>
      {props.notice ? (
        <Notice kind="ok" id="settings-saved">
          {props.notice}
        </Notice>
      ) : null}
      <FormError errors={errors} />
      <form class="form" method="post" action="/admin/settings" id="settings-form" novalidate>
        <CsrfField ctx={ctx} />
        <Field name="name" label="Site name" value={val('name', s.name)} errors={errors} required />
        <Field
          name="description"
          label="Description"
          value={val('description', s.description)}
          errors={errors}
          multiline
          hint="One or two sentences on the home page."
        />
        <Field
          name="about"
          label="About page (Markdown)"
          value={val('about', s.about)}
          errors={errors}
          multiline
          hint="Empty: a default text explaining Seedcast."
        />
        <p>
          <a href="/about" target="_blank" id="about-preview" rel="noopener">
            Preview the about page
          </a>{' '}
          <span class="muted">(as last saved)</span>
        </p>
        <div class="field">
          <label for="f-registration">Registration</label>
          <select id="f-registration" name="registration">
            {(Object.keys(REGISTRATION_LABELS) as SiteProfile['registration'][]).map((mode) => (
              <option value={mode} selected={val('registration', s.registration) === mode}>
                {REGISTRATION_LABELS[mode]}
              </option>
            ))}
          </select>
          {errors?.registration ? <p class="field-error">{errors.registration}</p> : null}
        </div>
        <Field
          name="defaultLicense"
          label="Default licence"
          value={val('defaultLicense', s.defaultLicense ?? '')}
          errors={errors}
          hint="Preselected on the upload form, e.g. CC-BY-4.0; empty: none."
        />
        <Field
          name="contact"
          label="Contact"
          value={val('contact', s.contact)}
          errors={errors}
          hint="An email address or a URL, shown on the about page and when registration is closed."
        />
        <Field
          name="userQuotaMiB"
          label="Default storage quota per account (MiB)"
          value={val('userQuotaMiB', s.userQuotaSource === 'settings' ? mib(s.userQuotaBytes) : '')}
          errors={errors}
          hint={`Empty: the server's configuration (now ${s.userQuotaBytes === null ? 'none' : `${mib(s.userQuotaBytes)} MiB`}); "none" for no quota.`}
        />
        <Field
          name="maxUploadMiB"
          label="Largest upload (MiB)"
          value={val('maxUploadMiB', s.maxUploadSource === 'settings' ? mib(s.maxUploadBytes) : '')}
          errors={errors}
          hint={`Empty: the server's limit (${mib(s.maxUploadBytes)} MiB now); it can only be lowered.`}
        />
        <div class="field">
          <label for="f-p2pDefault">Browser P2P by default</label>
          <select id="f-p2pDefault" name="p2pDefault">
            <option value="on" selected={val('p2pDefault', s.p2pDefault) === 'on'}>
              On: viewers share with one another
            </option>
            <option value="off" selected={val('p2pDefault', s.p2pDefault) === 'off'}>
              Off: viewers only download from the site
            </option>
          </select>
        </div>
        <button type="submit" id="save-settings">
          Save settings
        </button>
      </form>
    </Layout>
  );
}
