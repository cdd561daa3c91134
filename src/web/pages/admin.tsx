/**
 * The admin page (`/admin`, admins only): open abuse reports (when the site has a reports store),
 * each with a button that resolves it and one that takes the reported item down; a form to take any
 * item down by its number; and the items taken down, each with a button that restores it. Every
 * action is a POST form with the CSRF field.
 */

import { type Html, h } from '../html/jsx.js';
import { formatDate } from './format.js';
import { CsrfField, Layout, type PageContext } from './layout.js';

export interface ReportRow {
  id: number;
  itemId: number;
  itemTitle: string;
  reporter: string | null;
  reason: string;
  createdAt: number;
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
  notice?: string;
}): Html {
  const { ctx, reports, takenDown } = props;
  return (
    <Layout ctx={ctx} title="Admin">
      <h1>Moderation</h1>
      {props.notice ? (
        <p class="notice ok" role="status" id="admin-notice">
          {props.notice}
        </p>
      ) : null}
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
          <label for="takedown-item">Item number (the N in its address /items/N)</label>
          <input type="text" id="takedown-item" name="item" inputmode="numeric" pattern="[0-9]+" required />
          <label for="takedown-reason">Reason (kept with the item)</label>
          <input type="text" id="takedown-reason" name="reason" maxlength="2000" />{' '}
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
    </Layout>
  );
}
