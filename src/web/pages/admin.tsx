/**
 * The admin page (`/admin`, admins only): open abuse reports (when the site has a reports store),
 * each with a button that resolves it and one that takes the reported item down; a form to take any
 * item down by its number; and the items taken down, each with a button that restores it; when the
 * site keeps a moderation log: a form to disable an account, the disabled accounts (each with a
 * button that enables it again) and the latest audit entries, with the whole log on `/admin/audit`
 * (`AuditPage`). Every action is a POST form with the CSRF field.
 */

import type { AuditEntry, P2pChoice } from '../../catalog/index.js';
import type { FixityView } from '../../distribution/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { AdminResetLinkForm } from './account-lifecycle.js';
import { FixitySection } from './admin-fixity.js';
import { formatDate } from './format.js';
import { CsrfField, Layout, type PageContext } from './layout.js';
import { AdminP2pForm } from './p2p-settings.js';

export interface ReportRow {
  id: number;
  itemId: number;
  itemTitle: string;
  reporter: string | null;
  reason: string;
  createdAt: number;
}

/** An audit log entry as the pages show it (the catalog's shape, without the actor's id). */
export type AuditRow = Omit<AuditEntry, 'actorId'>;

export interface DisabledRow {
  username: string;
  disabledAt: number;
}

/** What the admin page shows about accounts and the audit log (absent: the sections are left out). */
export interface ModerationView {
  disabled: readonly DisabledRow[];
  audit: readonly AuditRow[];
}

export interface TakenDownRow {
  id: number;
  title: string;
  reason: string | null;
  takenDownAt: number | null;
}

function Action(props: {
  ctx: PageContext;
  action: string;
  label: string;
  danger?: boolean;
  id?: string;
}): Html {
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField ctx={props.ctx} />
      <button type="submit" class={props.danger ? 'danger' : 'secondary'} id={props.id}>
        {props.label}
      </button>
    </form>
  );
}

export function AdminPage(props: {
  ctx: PageContext;
  /** Open reports; undefined when the site keeps none (the section is left out). */
  reports?: readonly ReportRow[];
  takenDown: readonly TakenDownRow[];
  moderation?: ModerationView;
  notice?: string;
  /** The site's default for browser P2P (issue 17), when the site keeps settings. */
  p2pDefault?: P2pChoice;
  /** Fixity passes and damaged items (issue 22). */
  fixity?: FixityView;
}): Html {
  const { ctx, reports, takenDown } = props;
  return (
    <Layout ctx={ctx} title="Admin">
      <h1>Moderation</h1>
      <p>
        <a href="/admin/jobs">Jobs</a> (media processing: running, queued, failed)
      </p>
      {props.notice ? (
        <p class="notice ok" role="status" id="admin-notice">
          {props.notice}
        </p>
      ) : null}
      {props.p2pDefault ? <AdminP2pForm ctx={ctx} siteDefault={props.p2pDefault} /> : null}
      {reports === undefined ? null : (
        <section aria-labelledby="reports-title">
          <h2 id="reports-title">Open reports ({reports.length})</h2>
          {reports.length === 0 ? (
            <p class="muted">No open reports.</p>
          ) : (
            <table class="list" id="reports">
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Reason</th>
                  <th scope="col">By</th>
                  <th scope="col">When</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {reports.map((r) => (
                  <tr data-report-id={r.id}>
                    <td>
                      <a href={`/items/${r.itemId}`}>{r.itemTitle}</a>
                    </td>
                    <td class="pre-line">{r.reason}</td>
                    <td>{r.reporter ?? 'a visitor'}</td>
                    <td>{formatDate(r.createdAt)}</td>
                    <td>
                      <Action
                        ctx={ctx}
                        action={`/admin/reports/${r.id}/resolve`}
                        label="Resolve"
                        id={`resolve-${r.id}`}
                      />{' '}
                      <Action
                        ctx={ctx}
                        action={`/admin/items/${r.itemId}/takedown?report=${r.id}`}
                        label="Take down"
                        danger
                        id={`takedown-${r.itemId}`}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      <section aria-labelledby="takedown-title">
        <h2 id="takedown-title">Take an item down</h2>
        <form method="post" action="/admin/takedown" class="form" id="takedown-form">
          <CsrfField ctx={ctx} />
          <div class="field">
            <label for="takedown-item">Item number (the N in its address /items/N)</label>
            <input type="text" id="takedown-item" name="item" inputmode="numeric" pattern="[0-9]+" required />
          </div>
          <div class="field">
            <label for="takedown-reason">Reason (kept with the item)</label>
            <input type="text" id="takedown-reason" name="reason" maxlength="2000" />
          </div>
          <button type="submit" class="danger">
            Take down
          </button>
        </form>
      </section>
      <section aria-labelledby="taken-down-title">
        <h2 id="taken-down-title">Taken down ({takenDown.length})</h2>
        {takenDown.length === 0 ? (
          <p class="muted">Nothing is taken down.</p>
        ) : (
          <table class="list" id="taken-down">
            <tbody>
              {takenDown.map((i) => (
                <tr data-item-id={i.id}>
                  <td>{i.title}</td>
                  <td class="pre-line">{i.reason ?? ''}</td>
                  <td>{i.takenDownAt ? formatDate(i.takenDownAt) : ''}</td>
                  <td>
                    <Action
                      ctx={ctx}
                      action={`/admin/items/${i.id}/restore`}
                      label="Restore"
                      id={`restore-${i.id}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {props.moderation ? <Accounts ctx={ctx} moderation={props.moderation} /> : null}
      {props.fixity ? <FixitySection view={props.fixity} /> : null}
    </Layout>
  );
}

function AuditTable(props: { entries: readonly AuditRow[] }): Html {
  if (props.entries.length === 0) return <p class="muted">Nothing recorded yet.</p>;
  return (
    <table class="list" id="audit-log">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((e) => (
          <tr data-audit-id={e.id}>
            <td>{formatDate(e.createdAt)}</td>
            <td>{e.actor}</td>
            <td>
              <code>{e.action}</code>
            </td>
            <td class="pre-line">
              {e.targetType} {e.targetId === null ? '' : `#${e.targetId}`} {e.target}
            </td>
            <td class="pre-line">{e.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Accounts(props: { ctx: PageContext; moderation: ModerationView }): Html {
  const { ctx, moderation } = props;
  return (
    <>
      <section aria-labelledby="accounts-title">
        <h2 id="accounts-title">Accounts</h2>
        <form method="post" action="/admin/users/disable" class="form" id="disable-form">
          <CsrfField ctx={ctx} />
          <label for="disable-username">Username to disable</label>
          <input type="text" id="disable-username" name="username" maxlength="64" required />
          <label for="disable-reason">Reason (kept in the audit log)</label>
          <input type="text" id="disable-reason" name="reason" maxlength="2000" />{' '}
          <button type="submit" class="danger">
            Disable
          </button>
        </form>
        <p class="muted">
          A disabled account cannot log in, its sessions and API tokens stop working and it cannot post; its
          items stay unless you take them down.
        </p>
        <AdminResetLinkForm ctx={ctx} />
        {moderation.disabled.length === 0 ? (
          <p class="muted">No account is disabled.</p>
        ) : (
          <table class="list" id="disabled-users">
            <tbody>
              {moderation.disabled.map((u) => (
                <tr data-username={u.username}>
                  <td>
                    <a href={`/users/${encodeURIComponent(u.username)}`}>{u.username}</a>
                  </td>
                  <td>disabled {formatDate(u.disabledAt)}</td>
                  <td>
                    <Action
                      ctx={ctx}
                      action={`/admin/users/${encodeURIComponent(u.username)}/enable`}
                      label="Enable"
                      id={`enable-${u.username}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">Latest moderation actions</h2>
        <AuditTable entries={moderation.audit} />
        <p>
          <a href="/admin/audit" id="audit-link">
            The whole audit log
          </a>
        </p>
      </section>
      <section aria-labelledby="quota-title">
        <h2 id="quota-title">Storage quotas</h2>
        <p>
          <a href="/admin/quota" id="quota-link">
            See or set an account's storage quota
          </a>
        </p>
      </section>
    </>
  );
}

/** `/admin/audit`: the audit log, newest first, with a link to older entries. */
export function AuditPage(props: {
  ctx: PageContext;
  entries: readonly AuditRow[];
  next: number | null;
}): Html {
  return (
    <Layout ctx={props.ctx} title="Audit log">
      <h1>Audit log</h1>
      <p>
        <a href="/admin">Back to moderation</a>
      </p>
      <AuditTable entries={props.entries} />
      {props.next === null ? null : (
        <p>
          <a href={`/admin/audit?before=${props.next}`} rel="next" id="older-audit">
            Older entries
          </a>
        </p>
      )}
    </Layout>
  );
}
