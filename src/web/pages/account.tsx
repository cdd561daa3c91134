/**
 * Account pages: log in, register (both re-shown with errors next to the fields and the username
 * kept, never the password) and account settings (API tokens: list, create and show once, revoke;
 * password change and "log out everywhere" in `account-security.tsx`).
 */

import type { P2pChoice, P2pSetting, TokenInfo, User } from '../../catalog/index.js';
import { type Html, h } from '../html/jsx.js';
import { AccountDataSection } from './account-lifecycle.js';
import { AccountSecurity } from './account-security.js';
import { Field, FormError, type FormErrors, Notice } from './components.js';
import { formatDate } from './format.js';
import { CsrfField, Layout, type PageContext } from './layout.js';
import { AccountP2pForm } from './p2p-settings.js';

export function LoginPage(props: {
  ctx: PageContext;
  username?: string;
  next?: string;
  errors?: FormErrors;
  /** E.g. "your password was reset: log in with the new one". */
  notice?: string;
}): Html {
  const { ctx, errors } = props;
  return (
    <Layout ctx={ctx} title="Log in">
      <h1>Log in</h1>
      {props.notice ? (
        <Notice kind="ok" id="login-notice">
          {props.notice}
        </Notice>
      ) : null}
      <FormError errors={errors} />
      <form class="form" method="post" action="/login" id="login-form" novalidate>
        <CsrfField ctx={ctx} />
        {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
        <Field
          name="username"
          label="Username"
          value={props.username}
          errors={errors}
          required
          autocomplete="username"
        />
        <Field
          name="password"
          label="Password"
          type="password"
          errors={errors}
          required
          autocomplete="current-password"
        />
        <button type="submit">Log in</button>
      </form>
      <p>
        <a href="/forgot-password" id="forgot-link">
          Forgot your password?
        </a>
      </p>
      <p>
        No account yet? <a href="/register">Register</a>.
      </p>
    </Layout>
  );
}

export function RegisterPage(props: {
  ctx: PageContext;
  username?: string;
  errors?: FormErrors;
  /** The registration mode's field or note (issue 19: invite code, approval). */
  extra?: Html;
}): Html {
  const { ctx, errors } = props;
  return (
    <Layout ctx={ctx} title="Register">
      <h1>Register</h1>
      <FormError errors={errors} />
      <form class="form" method="post" action="/register" id="register-form" novalidate>
        <CsrfField ctx={ctx} />
        <Field
          name="username"
          label="Username"
          value={props.username}
          errors={errors}
          required
          autocomplete="username"
          hint={'2 to 32 letters, digits, "_", "." or "-", starting with a letter or digit.'}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          errors={errors}
          required
          autocomplete="new-password"
          hint="At least 8 characters."
        />
        <Field
          name="confirm"
          label="Password again"
          type="password"
          errors={errors}
          required
          autocomplete="new-password"
        />
        {props.extra}
        <button type="submit">Create account</button>
      </form>
      <p>
        Already registered? <a href="/login">Log in</a>.
      </p>
    </Layout>
  );
}

export function AccountPage(props: {
  ctx: PageContext;
  user: User;
  tokens: TokenInfo[];
  /** A token just created: shown once. */
  newToken?: string;
  tokenName?: string;
  errors?: FormErrors;
  /** Errors of the password form. */
  passwordErrors?: FormErrors;
  notice?: string;
  /** The account's P2P choice and the site's default (issue 17), when the site keeps them. */
  p2p?: { setting: P2pSetting; siteDefault: P2pChoice };
}): Html {
  const { ctx, user, errors } = props;
  return (
    <Layout ctx={ctx} title="Account">
      <h1>Account</h1>
      <p>
        Logged in as <a href={`/users/${encodeURIComponent(user.username)}`}>{user.username}</a>
        {user.role === 'admin' ? ' (administrator)' : ''}, since {formatDate(user.createdAt)}.
      </p>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <section aria-labelledby="tokens-title">
        <h2 id="tokens-title">API tokens</h2>
        <p>
          Tokens let programs act for you: <code>seedcast publish --token ...</code> or{' '}
          <code>Authorization: Bearer ...</code> on the API.
        </p>
        {props.newToken ? (
          <Notice kind="ok" id="new-token-notice">
            <p>
              Your new token{props.tokenName ? ` "${props.tokenName}"` : ''}. Copy it now: it will not be
              shown again.
            </p>
            <code class="token" id="new-token">
              {props.newToken}
            </code>
            <button type="button" class="secondary" data-copy="new-token" hidden>
              Copy
            </button>
          </Notice>
        ) : null}
        {props.tokens.length === 0 ? (
          <p class="muted">No tokens yet.</p>
        ) : (
          <table class="list" id="tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.tokens.map((t) => (
                <tr data-token-id={t.id}>
                  <td>{t.name || '(unnamed)'}</td>
                  <td>{formatDate(t.createdAt)}</td>
                  <td>{t.lastUsedAt ? formatDate(t.lastUsedAt) : 'never'}</td>
                  <td>{t.expiresAt ? formatDate(t.expiresAt) : 'never'}</td>
                  <td>
                    <form method="post" action={`/account/tokens/${t.id}/revoke`}>
                      <CsrfField ctx={ctx} />
                      <button type="submit" class="danger" aria-label={`Revoke token ${t.name || t.id}`}>
                        Revoke
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h3>New token</h3>
        <form class="form" method="post" action="/account/tokens" id="token-form" novalidate>
          <CsrfField ctx={ctx} />
          <Field
            name="name"
            label="Name"
            value={props.tokenName}
            errors={errors}
            hint="What the token is for, e.g. the machine that uses it."
          />
          <button type="submit">Create token</button>
        </form>
      </section>
      {props.p2p ? <AccountP2pForm ctx={ctx} {...props.p2p} /> : null}
      <AccountSecurity ctx={ctx} errors={props.passwordErrors} />
      <AccountDataSection />
    </Layout>
  );
}
