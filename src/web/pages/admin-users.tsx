/**
 * The admin's user list (`/admin/users`, admins only): search by name, 50 a page, pending accounts
 * first; per account a role select (admin, moderator, user), disable/enable, its own quota, a
 * one-time password reset link (`POST /admin/users/:name/reset-link`, built by the accounts pages)
 * and, for accounts awaiting approval, Approve and Reject; with invite-only registration, the
 * invites and a button to create one (the new code and link are shown once).
 */

import type { AdminUserRow, Registration } from '../../catalog/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { Notice, Pagination } from './components.js';
import { formatDate } from './format.js';
import { CsrfField, Layout, type PageContext } from './layout.js';

export interface InviteRow {
  createdAt: number;
  createdBy: string;
  usedBy: string | null;
  usedAt: number | null;
}

const quotaText = (q: AdminUserRow['quota']) =>
  q === 'default' ? '' : q === null ? 'none' : String(Math.round((q / 1024 ** 2) * 100) / 100);

function UserRow(props: { ctx: PageContext; user: AdminUserRow; self: boolean }): Html {
  const { ctx, user } = props;
  const action = `/admin/users/${encodeURIComponent(user.username)}`;
  return (
    <tr id={`user-${user.username}`}>
      <td>
        <a href={`/users/${encodeURIComponent(user.username)}`}>{user.username}</a>
        {user.pendingSince !== null ? <span class="badge"> pending</span> : null}
        {user.disabled ? <span class="badge"> disabled</span> : null}
      </td>
      <td>{formatDate(user.createdAt)}</td>
      <td>
        <form method="post" action={action}>
          <CsrfField ctx={ctx} />
          <label class="visually-hidden" for={`role-${user.id}`}>
            Role of {user.username}
          </label>
          <select name="role" id={`role-${user.id}`}>
            {(['admin', 'moderator', 'user'] as const).map((r) => (
              <option value={r} selected={user.role === r}>
                {r}
              </option>
            ))}
          </select>
          <button type="submit" name="do" value="role">
            Set
          </button>
        </form>
      </td>
      <td>
        <form method="post" action={action}>
          <CsrfField ctx={ctx} />
          <label class="visually-hidden" for={`quota-${user.id}`}>
            Quota of {user.username} in MiB
          </label>
          <input
            type="text"
            name="quotaMiB"
            id={`quota-${user.id}`}
            value={quotaText(user.quota)}
            placeholder="default"
          />
          <button type="submit" name="do" value="quota">
            Set
          </button>
        </form>
      </td>
      <td>
        {user.pendingSince !== null ? (
          <form method="post" action={action}>
            <CsrfField ctx={ctx} />
            <button type="submit" name="do" value="approve">
              Approve
            </button>
            <button type="submit" name="do" value="reject" class="danger">
              Reject
            </button>
          </form>
        ) : null}
        {props.self ? null : (
          <form method="post" action={action}>
            <CsrfField ctx={ctx} />
            <button type="submit" name="do" value={user.disabled ? 'enable' : 'disable'}>
              {user.disabled ? 'Enable' : 'Disable'}
            </button>
          </form>
        )}
        <form method="post" action={`${action}/reset-link`}>
          <CsrfField ctx={ctx} />
          <button type="submit">Reset link</button>
        </form>
      </td>
    </tr>
  );
}

export function AdminUsersPage(props: {
  ctx: PageContext;
  users: AdminUserRow[];
  page: number;
  pages: number;
  total: number;
  q: string;
  registration: Registration;
  invites?: InviteRow[];
  /** A code just created: shown once. */
  newInvite?: { code: string; url: string };
  notice?: string;
  error?: string;
}): Html {
  const { ctx } = props;
  const self = ctx.visitor.user?.id;
  const href = (page: number) =>
    `/admin/users?${new URLSearchParams({ ...(props.q ? { q: props.q } : {}), page: String(page) })}`;
  return (
    <Layout ctx={ctx} title="Users">
      <h1>Users</h1>
      {props.notice ? (
        <Notice kind="ok" id="users-notice">
          {props.notice}
        </Notice>
      ) : null}
      {props.error ? (
        <Notice kind="error" id="users-error">
          {props.error}
        </Notice>
      ) : null}
      <form method="get" action="/admin/users" class="inline-form">
        <label for="users-q">Search by name</label>{' '}
        <input type="search" id="users-q" name="q" value={props.q} /> <button type="submit">Search</button>
      </form>
      <p class="muted">
        {props.total} account{props.total === 1 ? '' : 's'}. Registration:{' '}
        <a href="/admin/settings">{props.registration}</a>.
      </p>
      <table class="admin-users" id="users">
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Since</th>
            <th scope="col">Role</th>
            <th scope="col">Quota (MiB)</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.users.map((u) => (
            <UserRow ctx={ctx} user={u} self={u.id === self} />
          ))}
        </tbody>
      </table>
      <Pagination page={props.page} pages={props.pages} href={href} />
      {props.registration === 'invite' ? (
        <section aria-labelledby="invites-title" id="invites">
          <h2 id="invites-title">Invites</h2>
          {props.newInvite ? (
            <Notice kind="ok" id="new-invite">
              New invite code <code>{props.newInvite.code}</code>: send this link, it works once:{' '}
              <a href={props.newInvite.url}>{props.newInvite.url}</a>
            </Notice>
          ) : null}
          <form method="post" action="/admin/invites">
            <CsrfField ctx={ctx} />
            <button type="submit" id="create-invite">
              Create invite
            </button>
          </form>
          <ul>
            {(props.invites ?? []).map((i) => (
              <li>
                {formatDate(i.createdAt)} by {i.createdBy}:{' '}
                {i.usedBy ? `used by ${i.usedBy}` : i.usedAt ? 'used' : 'not used yet'}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}
