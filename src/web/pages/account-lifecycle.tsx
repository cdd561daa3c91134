/**
 * Account pages of issue 19: "forgot password" (one answer whatever was typed), setting a new
 * password from a one-time link, the result of verifying an address, the account's email address
 * (add, change, remove, resend), deleting the account (password and a choice for the items), the
 * link to export one's data, and the one-time reset link an admin made (shown once).
 */

import type { AccountEmail } from '../../catalog/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { Field, FormError, type FormErrors, Notice } from './components.js';
import { formatDate } from './format.js';
import { CsrfField, Layout, type PageContext } from './layout.js';

/** The answer to every "forgot password" request. */
export const RESET_SENT =
  'If an account with a verified email address matches, a mail with a link to choose a new password is on its way. The link works for an hour.';

export function ForgotPasswordPage(props: {
  ctx: PageContext;
  mailEnabled: boolean;
  sent?: boolean;
  login?: string;
  errors?: FormErrors;
}): Html {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title="Forgot your password?">
      <h1>Forgot your password?</h1>
      {props.sent ? (
        <Notice kind="ok" id="reset-sent">
          {RESET_SENT}
        </Notice>
      ) : null}
      {props.mailEnabled ? (
        <>
          <p>
            Give your username or your verified email address: a link to choose a new password is mailed to
            that address.
          </p>
          <FormError errors={props.errors} />
          <form class="form" method="post" action="/forgot-password" id="forgot-form" novalidate>
            <CsrfField ctx={ctx} />
            <Field
              name="login"
              label="Username or email address"
              value={props.login}
              errors={props.errors}
              required
              autocomplete="username"
            />
            <button type="submit">Send the link</button>
          </form>
        </>
      ) : (
        <p id="no-mail">
          This site sends no mail. Ask an administrator for a one-time link to choose a new password.
        </p>
      )}
      <p>
        Remembered it? <a href="/login">Log in</a>.
      </p>
    </Layout>
  );
}

export function ResetPasswordPage(props: {
  ctx: PageContext;
  token: string;
  /** False: the link is unknown, used or expired (the form is not shown). */
  valid: boolean;
  errors?: FormErrors;
}): Html {
  const { ctx, errors } = props;
  return (
    <Layout ctx={ctx} title="Choose a new password">
      <h1>Choose a new password</h1>
      {props.valid ? (
        <>
          <FormError errors={errors} />
          <form class="form" method="post" action="/reset-password" id="reset-form" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="token" value={props.token} />
            <Field
              name="password"
              label="New password"
              type="password"
              errors={errors}
              required
              autocomplete="new-password"
              hint="At least 8 characters. Every session of the account ends; API tokens keep working."
            />
            <Field
              name="confirm"
              label="New password again"
              type="password"
              errors={errors}
              required
              autocomplete="new-password"
            />
            <button type="submit">Set the new password</button>
          </form>
        </>
      ) : (
        <Notice kind="error" id="bad-link">
          This link does not work: it is unknown, was already used, or expired (reset links last an hour).{' '}
          <a href="/forgot-password">Ask for a new one</a>.
        </Notice>
      )}
    </Layout>
  );
}

export function VerifyEmailPage(props: { ctx: PageContext; email?: string }): Html {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title="Verify your email address">
      <h1>Verify your email address</h1>
      {props.email ? (
        <Notice kind="ok" id="verified">
          Your address {props.email} is verified. Password resets can now be mailed to it.
        </Notice>
      ) : (
        <Notice kind="error" id="bad-link">
          This link does not work: it is unknown, was already used, expired (links last a day), or the
          account's address changed since it was sent.{' '}
          {ctx.visitor.user ? <a href="/account/email">Send a new one</a> : null}
        </Notice>
      )}
      <p>
        <a href={ctx.visitor.user ? '/account' : '/login'}>
          {ctx.visitor.user ? 'Back to your account' : 'Log in'}
        </a>
      </p>
    </Layout>
  );
}

export function EmailPage(props: {
  ctx: PageContext;
  current?: AccountEmail | undefined;
  mailEnabled: boolean;
  value?: string;
  errors?: FormErrors;
  notice?: string;
}): Html {
  const { ctx, current, errors } = props;
  return (
    <Layout ctx={ctx} title="Email address">
      <h1>Email address</h1>
      <p>
        Optional. Once verified, it is where a forgotten password's reset link is mailed. It is never shown to
        others.
      </p>
      {props.notice ? (
        <Notice kind="ok" id="email-notice">
          {props.notice}
        </Notice>
      ) : null}
      <FormError errors={errors} />
      {current ? (
        <p id="email-status">
          Your address: <strong>{current.email}</strong>{' '}
          {current.verifiedAt !== null ? (
            <span class="badge ok">verified {formatDate(current.verifiedAt)}</span>
          ) : (
            <span class="badge">not verified</span>
          )}
        </p>
      ) : (
        <p id="email-status" class="muted">
          No address yet.
        </p>
      )}
      {!props.mailEnabled ? (
        <p class="muted" id="no-mail">
          This site sends no mail, so addresses cannot be verified here; an administrator can make you a
          one-time link to reset your password.
        </p>
      ) : null}
      <form class="form" method="post" action="/account/email" id="email-form" novalidate>
        <CsrfField ctx={ctx} />
        <Field
          name="email"
          label={current ? 'New address' : 'Address'}
          type="email"
          value={props.value}
          errors={errors}
          required
          autocomplete="email"
          hint="A link to verify it is mailed there."
        />
        <button type="submit">Save</button>
      </form>
      {current && current.verifiedAt === null && props.mailEnabled ? (
        <form method="post" action="/account/email/resend" id="resend-form">
          <CsrfField ctx={ctx} />
          <button type="submit" class="secondary">
            Mail the verification link again
          </button>
        </form>
      ) : null}
      {current ? (
        <form method="post" action="/account/email/remove" id="remove-email-form">
          <CsrfField ctx={ctx} />
          <button type="submit" class="danger">
            Remove the address
          </button>
        </form>
      ) : null}
      <p>
        <a href="/account">Back to your account</a>
      </p>
    </Layout>
  );
}

export function DeleteAccountPage(props: {
  ctx: PageContext;
  items: number;
  /** The site's admin that would receive the items, if any. */
  siteName: string | undefined;
  lastAdmin: boolean;
  choice?: string;
  errors?: FormErrors;
}): Html {
  const { ctx, errors } = props;
  const choice = props.choice === 'transfer' ? 'transfer' : 'delete';
  return (
    <Layout ctx={ctx} title="Delete your account">
      <h1>Delete your account</h1>
      {props.lastAdmin ? (
        <Notice kind="error" id="last-admin">
          You are the site's only administrator: make someone else an administrator first.
        </Notice>
      ) : (
        <>
          <p>
            This cannot be undone. Your sessions, API tokens, favourites, follows and collections go with the
            account; your comments are removed (one others replied to stays as "[deleted]" to keep the
            thread).
          </p>
          <FormError errors={errors} />
          <form class="form" method="post" action="/account/delete" id="delete-form" novalidate>
            <CsrfField ctx={ctx} />
            <fieldset>
              <legend>
                Your {props.items} item{props.items === 1 ? '' : 's'} and your channels
              </legend>
              <label>
                <input type="radio" name="items" value="delete" checked={choice === 'delete'} /> Delete them
                (their files go, and seeding stops)
              </label>
              <label>
                <input type="radio" name="items" value="transfer" checked={choice === 'transfer'} /> Hand them
                to the site{props.siteName ? ` (its administrator ${props.siteName})` : ''}
              </label>
            </fieldset>
            <Field
              name="password"
              label="Your password"
              type="password"
              errors={errors}
              required
              autocomplete="current-password"
            />
            <button type="submit" class="danger">
              Delete my account
            </button>
          </form>
        </>
      )}
      <p>
        <a href="/account">Keep my account</a>
      </p>
    </Layout>
  );
}

/** The account page's section linking to the address, export and deletion. */
export function AccountDataSection(): Html {
  return (
    <section aria-labelledby="data-title" id="your-data">
      <h2 id="data-title">Email, your data, deleting the account</h2>
      <ul>
        <li>
          <a href="/account/email">Email address</a>: add or change it, for password resets.
        </li>
        <li>
          <a href="/account/export.json" download>
            Export my data (JSON)
          </a>
          : your profile, items, comments, favourites and collections.
        </li>
        <li>
          <a href="/account/delete">Delete my account</a>
        </li>
      </ul>
    </section>
  );
}

export function ResetLinkPage(props: {
  ctx: PageContext;
  username: string;
  url: string;
  expiresAt: number;
}): Html {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={`Reset link for ${props.username}`}>
      <h1>Reset link for {props.username}</h1>
      <Notice kind="ok" id="reset-link-notice">
        <p>
          Give this link to {props.username} yourself. It works once, until{' '}
          {new Date(props.expiresAt).toISOString()}, and is not shown again; an older link for this account no
          longer works.
        </p>
        <code class="token" id="reset-link">
          {props.url}
        </code>
      </Notice>
      <p>
        <a href="/admin">Back to the admin page</a>
      </p>
    </Layout>
  );
}

/** The admin page's form for a one-time reset link (`POST /admin/reset-link`). */
export function AdminResetLinkForm(props: { ctx: PageContext }): Html {
  return (
    <form method="post" action="/admin/reset-link" class="form" id="reset-link-form">
      <CsrfField ctx={props.ctx} />
      <label for="reset-username">Username that needs a new password</label>
      <input type="text" id="reset-username" name="username" maxlength="64" required />{' '}
      <button type="submit">Make a one-time reset link</button>
      <p class="hint">
        For someone who forgot their password when mail cannot reach them: the link is shown once, works once,
        for an hour.
      </p>
    </form>
  );
}

/** After deleting one's account. */
export function AccountDeletedPage(props: { ctx: PageContext; transferred: boolean }): Html {
  return (
    <Layout ctx={props.ctx} title="Account deleted">
      <h1>Account deleted</h1>
      <Notice kind="ok" id="account-deleted">
        Your account is deleted
        {props.transferred ? ', and your items now belong to the site' : ', with your items'}.
      </Notice>
      <p>
        <a href="/">Home</a>
      </p>
    </Layout>
  );
}
