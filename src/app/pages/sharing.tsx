/**
 * The Sharing page: how much this install gave back (`#sharing-total`), the upload limit and current
 * rate (kept live by `app-sharing.js` from `/api/status`), why seeding is paused when it is, and one
 * row per complete episode (`table#shared`): uploaded, ratio, time seeded, seeding now or why not.
 */

import { type Html, h } from '../../web/html/jsx.js';
import { formatBytes } from '../../web/pages/format.js';
import type { AppContext } from '../context.js';
import { AppLayout } from '../layout.js';
import type { SharingSummary } from '../routes/sharing-data.js';
import { rateText } from './episode-list.js';

function seeded(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours >= 48) return `${(hours / 24).toFixed(1)} days`;
  if (hours >= 1) return `${hours.toFixed(1)} h`;
  return `${Math.round(ms / 60_000)} min`;
}

const LABELS = { seeding: 'Seeding now', done: 'Done', paused: 'Paused', 'not-seeding': 'Not seeding' };

/** Rows of the episodes table (the most uploaded first; the totals count every episode). */
const SHARED_ROWS = 300;

export function SharingPage(props: { ctx: AppContext; summary: SharingSummary }): Html {
  const { ctx, summary: s } = props;
  return (
    <AppLayout ctx={ctx} title="Sharing" current="/sharing">
      <h1>Sharing</h1>
      <section id="sharing-total" aria-labelledby="total-title">
        <h2 id="total-title" class="visually-hidden">
          Totals
        </h2>
        <p class="sharing-gave">
          You gave back <strong data-total="uploaded">{formatBytes(s.uploaded)}</strong> to other listeners.
        </p>
        <dl class="sharing-figures">
          <dt>Uploaded</dt>
          <dd data-value={String(s.uploaded)}>{formatBytes(s.uploaded)}</dd>
          <dt>Downloaded</dt>
          <dd>{formatBytes(s.downloaded)}</dd>
          <dt>Overall ratio</dt>
          <dd>{s.ratio.toFixed(2)}</dd>
          <dt>Upload now</dt>
          <dd id="upload-rate" aria-live="polite">
            {rateText(s.uploadRate)}
          </dd>
          <dt>Upload limit</dt>
          <dd id="upload-limit">{s.uploadRateLimit > 0 ? rateText(s.uploadRateLimit) : 'none'}</dd>
        </dl>
        {s.paused ? (
          <p id="seeding-paused" class="notice" role="status">
            Seeding is paused: {s.paused}. <a href="/settings">Change when to seed</a>.
          </p>
        ) : null}
        {s.note ? <p id="seeding-note">{s.note}</p> : null}
      </section>
      <h2>Episodes</h2>
      {s.episodes.length === 0 ? (
        <p id="shared-empty">No complete episodes yet: what you download is shared from here.</p>
      ) : (
        <div class="table-scroll">
          <table id="shared">
            <thead>
              <tr>
                <th scope="col">Episode</th>
                <th scope="col">Uploaded</th>
                <th scope="col">Ratio</th>
                <th scope="col">Seeded</th>
                <th scope="col">Now</th>
              </tr>
            </thead>
            <tbody>
              {s.episodes.slice(0, SHARED_ROWS).map((e) => (
                <tr data-episode-id={e.id} data-state={e.state}>
                  <th scope="row">
                    <a href={`/episodes/${e.id}`}>{e.title}</a> <span class="muted">{e.show}</span>
                  </th>
                  <td class="shared-uploaded" data-value={String(e.uploaded)}>
                    {formatBytes(e.uploaded)}
                  </td>
                  <td class="shared-ratio">{e.ratio.toFixed(2)}</td>
                  <td class="shared-time">{seeded(e.seededMs)}</td>
                  <td class="shared-state">
                    {LABELS[e.state]}
                    {e.reason ? <span class="shared-reason">: {e.reason}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {s.episodes.length > SHARED_ROWS ? (
            <p class="muted" id="shared-more">
              The {SHARED_ROWS} that gave back most are listed; {s.episodes.length - SHARED_ROWS} more are
              counted in the totals above.
            </p>
          ) : null}
        </div>
      )}
    </AppLayout>
  );
}
