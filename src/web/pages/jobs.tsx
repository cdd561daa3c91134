/**
 * The admin jobs page (`/admin/jobs`, admins only): counts per state, then the running jobs with
 * their progress, the queued ones, and the failed ones with their error and a Retry button (a POST
 * form with the CSRF field). Jobs are media work on items (analysis, derivatives).
 */

import type { Job, JobState } from '../../jobs/index.js';
import { type Html, h } from '../html/jsx.js';
import { CsrfField, Layout, type PageContext } from './layout.js';

function ItemLink(props: { job: Job }): Html {
  const id = props.job.itemId;
  return id === null ? <span class="muted">none</span> : <a href={`/items/${id}`}>{`item ${id}`}</a>;
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

function JobTable(props: {
  ctx: PageContext;
  id: string;
  jobs: readonly Job[];
  kind: 'running' | 'queued' | 'failed';
}): Html {
  const { kind } = props;
  if (props.jobs.length === 0) return <p class="muted">None.</p>;
  return (
    <table class="list" id={props.id}>
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Kind</th>
          <th scope="col">Item</th>
          <th scope="col">Attempts</th>
          {kind === 'running' ? <th scope="col">Progress</th> : null}
          {kind === 'failed' ? <th scope="col">Error</th> : null}
          <th scope="col">Updated</th>
          {kind === 'failed' ? <th scope="col">Actions</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.jobs.map((j) => (
          <tr data-job-id={j.id} data-state={j.state}>
            <td>{j.id}</td>
            <td>{j.kind}</td>
            <td>
              <ItemLink job={j} />
            </td>
            <td>{`${j.attempts} of ${j.maxAttempts}`}</td>
            {kind === 'running' ? (
              <td>
                <progress max="1" value={String(j.progress ?? 0)} aria-label={`job ${j.id} progress`} />{' '}
                {j.progress === null ? '' : `${Math.round(j.progress * 100)}%`}
              </td>
            ) : null}
            {kind === 'failed' ? (
              <td class="pre-line job-error">{j.error ?? (j.state === 'cancelled' ? 'cancelled' : '')}</td>
            ) : null}
            <td>{when(j.updatedAt)}</td>
            {kind === 'failed' ? (
              <td>
                <form method="post" action={`/admin/jobs/${encodeURIComponent(j.id)}/retry`} class="inline">
                  <CsrfField ctx={props.ctx} />
                  <button type="submit" class="secondary" id={`retry-${j.id}`}>
                    Retry
                  </button>
                </form>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function JobsPage(props: {
  ctx: PageContext;
  backend: string;
  counts: Record<JobState, number>;
  running: readonly Job[];
  queued: readonly Job[];
  failed: readonly Job[];
  notice?: string;
}): Html {
  const { ctx, counts } = props;
  return (
    <Layout ctx={ctx} title="Jobs">
      <h1>Jobs</h1>
      <p>
        <a href="/admin">Moderation</a> · Media work on items, from the {props.backend} queue.
      </p>
      {props.notice ? (
        <p class="notice ok" role="status" id="jobs-notice">
          {props.notice}
        </p>
      ) : null}
      <p id="job-counts">
        {`${counts.running} running, ${counts.queued} queued, ${counts.failed} failed, ${counts.done} done, ${counts.cancelled} cancelled`}
      </p>
      <section aria-labelledby="running-title">
        <h2 id="running-title">Running ({counts.running})</h2>
        <JobTable ctx={ctx} id="jobs-running" jobs={props.running} kind="running" />
      </section>
      <section aria-labelledby="queued-title">
        <h2 id="queued-title">Queued ({counts.queued})</h2>
        <JobTable ctx={ctx} id="jobs-queued" jobs={props.queued} kind="queued" />
      </section>
      <section aria-labelledby="failed-title">
        <h2 id="failed-title">Failed ({counts.failed})</h2>
        <JobTable ctx={ctx} id="jobs-failed" jobs={props.failed} kind="failed" />
      </section>
    </Layout>
  );
}
