/**
 * The log-in page of an app exposed with `--listen` (`form#login`, one `password` field), shaped like
 * the site's log-in page (`src/web/pages/account.tsx`): the same `.form`, `.field` and `.notice`
 * classes, the error linked to the field. No CSRF token: the visitor has no session yet.
 */

import { type Html, h } from '../../web/html/jsx.js';
import type { AppContext } from '../context.js';
import { AppLayout } from '../layout.js';

export function LoginPage(props: { ctx: AppContext; next: string; error?: string }): Html {
  const { error } = props;
  return (
    <AppLayout ctx={props.ctx} title="Log in" bare>
      <h1>Log in</h1>
      <p>This Seedcast app is reachable from the network; its password is the one it was started with.</p>
      <form class="form" method="post" action="/login" id="login" novalidate>
        {props.next !== '/' ? <input type="hidden" name="next" value={props.next} /> : null}
        <div class="field">
          <label for="login-password">Password</label>
          <input
            type="password"
            id="login-password"
            name="password"
            required
            autocomplete="current-password"
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'login-error' : undefined}
          />
          {error ? (
            <p class="field-error" id="login-error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <button type="submit">Log in</button>
      </form>
    </AppLayout>
  );
}
