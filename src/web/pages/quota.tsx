/**
 * The admins' storage quota page (`/admin/quota`): look an account up by name, see its quota, what
 * it uses and what is left, and set its quota (bytes with an optional K/M/G/T unit, `none`, or
 * `default` for the site's). A POST form with the CSRF field.
 */

import { type Html, h } from '../html/jsx.js';
import { formatBytes } from './format.js';
import { CsrfField, Layout, type PageContext } from './layout.js';

export interface QuotaRow {
  username: string;
  /** `default`, `none` or bytes. */
  setting: 'default' | 'none' | number;
  quota: number | null;
  used: number;
}

export function QuotaPage(props: {
  ctx: PageContext;
  account?: QuotaRow;
  notice?: string;
  error?: string;
}): Html {
  const { ctx, account } = props;
  const setting = account
    ? typeof account.setting === 'number'
      ? String(account.setting)
      : account.setting
    : '';
  return (
    <Layout ctx={ctx} title="Storage quotas">
      <h1>Storage quotas</h1>
      {props.notice ? (
        <p class="notice ok" role="status" id="quota-notice">
          {props.notice}
        </p>
      ) : null}
      {props.error ? (
        <p class="notice error" role="alert" id="quota-error">
          {props.error}
        </p>
      ) : null}
      <form method="get" action="/admin/quota">
        <label for="q-user">Account</label> <input id="q-user" name="user" value={account?.username ?? ''} />{' '}
        <button type="submit" class="secondary">
          Show
        </button>
      </form>
      {account ? (
        <section aria-labelledby="quota-title">
          <h2 id="quota-title">{account.username}</h2>
          <p id="quota-usage">
            {formatBytes(account.used)} used of{' '}
            {account.quota === null ? 'no quota' : formatBytes(account.quota)}
            {account.setting === 'default' ? ' (the site’s default)' : ''}
          </p>
          <form method="post" action="/admin/quota">
            <CsrfField ctx={ctx} />
            <input type="hidden" name="user" value={account.username} />
            <label for="q-quota">Quota (bytes, e.g. 50G; none; default)</label>{' '}
            <input id="q-quota" name="quota" value={setting} required /> <button type="submit">Set</button>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}
