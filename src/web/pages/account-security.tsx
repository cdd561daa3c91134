/**
 * The account page's security section: change the password (the current one required; every other
 * session and API token ends) and "log out everywhere" (every session, this one included, and every
 * API token end).
 */

import { type Html, h } from '../html/jsx.js';
import { Field, type FormErrors, Notice } from './components.js';
import { CsrfField, type PageContext } from './layout.js';

export function AccountSecurity(props: { ctx: PageContext; errors?: FormErrors }): Html {
  const { ctx, errors } = props;
  return (
    <section aria-labelledby="security-title" id="security">
      <h2 id="security-title">Password and sessions</h2>
      {errors?.form ? (
        <Notice kind="error" id="password-error">
          {errors.form}
        </Notice>
      ) : null}
      <form class="form" method="post" action="/account/password" id="password-form" novalidate>
        <CsrfField ctx={ctx} />
        <Field
          name="current_password"
          label="Current password"
          type="password"
          errors={errors}
          required
          autocomplete="current-password"
        />
        <Field
          name="new_password"
          label="New password"
          type="password"
          errors={errors}
          required
          autocomplete="new-password"
          hint="At least 8 characters. Every other session and every API token will stop working."
        />
        <Field
          name="confirm_password"
          label="New password again"
          type="password"
          errors={errors}
          required
          autocomplete="new-password"
        />
        <button type="submit">Change password</button>
      </form>
      <form method="post" action="/account/logout-everywhere" id="logout-everywhere-form">
        <CsrfField ctx={ctx} />
        <p>Lost a device, or shared a token by mistake? End every session and revoke every API token.</p>
        <button type="submit" class="danger">
          Log out everywhere
        </button>
      </form>
    </section>
  );
}
