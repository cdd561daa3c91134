// The aggregator app: live episode rows (issue 23). Every second while the page is visible it asks
// `/api/status` and updates each `li.episode[data-episode-id]` in place: the progress bar, where the
// bytes come from (swarm with peers, or HTTP), the rate, the seeding figures, and the state (a row
// whose download is gone from the status is refetched from `/api/episodes/<id>`, so a finished
// download shows complete or seeding without a reload). State changes are announced politely.
// It also asks before deleting a file and tells the action forms which page to come back to.

import { formatBytes, rateText } from './app-format.js';

/** The CSRF token the page carries, for requests the script makes. */
export const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

const POLL_MS = 1000;

/** Mirrors STATE_LABELS in pages/episode-list.tsx. */
const LABELS = {
  new: 'New',
  queued: 'Queued',
  downloading: 'Downloading',
  complete: 'Downloaded',
  seeding: 'Downloaded, sharing',
  failed: 'Failed',
};

function viaText(via, peers) {
  if (via === 'swarm') return `swarm (${peers ?? 0} ${peers === 1 ? 'peer' : 'peers'})`;
  return via === 'http' ? 'HTTP' : '';
}

/** Mirrors actionsFor in pages/episode-list.tsx. */
function actionsFor(view) {
  const out = new Set();
  if (view.state === 'new') out.add('download');
  if (view.state === 'failed') out.add('retry');
  if (view.state !== 'new') out.add('delete');
  out.add(view.playedAt ? 'unplayed' : 'played');
  return out;
}

let announcer;
function announce(text) {
  if (!announcer) {
    announcer = document.createElement('p');
    announcer.id = 'episode-announce';
    announcer.className = 'visually-hidden';
    announcer.setAttribute('role', 'status');
    announcer.setAttribute('aria-live', 'polite');
    document.body.append(announcer);
  }
  announcer.textContent = text;
}

const part = (row, selector) => row.querySelector(selector);

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

function show(el, visible) {
  if (el) el.hidden = !visible;
}

function titleOf(row) {
  return part(row, '.episode-title a, a')?.textContent ?? 'Episode';
}

function setState(row, state) {
  if (row.dataset.state === state) return;
  row.dataset.state = state;
  setText(part(row, '.episode-state'), LABELS[state] ?? state);
  announce(`${titleOf(row)}: ${LABELS[state] ?? state}`);
}

function setProgress(row, done, total) {
  const bar = part(row, 'progress.episode-progress');
  if (!bar) return;
  if (total && total > 0) {
    bar.max = total;
    bar.value = Math.min(done ?? 0, total);
    setText(bar, `${Math.floor(((done ?? 0) / total) * 100)}%`);
  } else bar.removeAttribute('value');
  show(bar, true);
}

/** A download running now (from `/api/status`). */
function applyDownload(row, d) {
  setState(row, 'downloading');
  setProgress(row, d.done, d.total);
  const via = part(row, '.episode-via');
  setText(via, viaText(d.via, d.peers));
  show(via, true);
  const rate = part(row, '.episode-rate');
  setText(rate, rateText(d.downloadRate));
  show(rate, true);
  show(part(row, '.episode-seeding'), false);
  show(part(row, '.episode-error'), false);
  applyButtons(row, { state: 'downloading', playedAt: row.dataset.played === 'true' ? 'yes' : null });
}

function applyButtons(row, view) {
  const allowed = actionsFor(view);
  for (const button of row.querySelectorAll('button[name="action"]'))
    button.hidden = !allowed.has(button.value);
}

function seedingText(ratio, uploaded) {
  return `ratio ${(ratio ?? 0).toFixed(2)}, ${formatBytes(uploaded ?? 0)} uploaded`;
}

/** The whole row from `/api/episodes/<id>`. */
function applyView(row, v) {
  const downloading = v.state === 'downloading';
  if (downloading) setProgress(row, v.done, v.total);
  else show(part(row, 'progress.episode-progress'), false);
  const via = part(row, '.episode-via');
  setText(via, downloading ? viaText(v.via, v.peers) : '');
  show(via, downloading);
  const rate = part(row, '.episode-rate');
  setText(rate, downloading ? rateText(v.downloadRate) : '');
  show(rate, downloading);
  const seeding = part(row, '.episode-seeding');
  setText(seeding, v.state === 'seeding' ? seedingText(v.ratio, v.uploaded) : '');
  show(seeding, v.state === 'seeding');
  const error = part(row, '.episode-error');
  setText(error, v.state === 'failed' ? (v.error ?? 'failed') : '');
  show(error, v.state === 'failed');
  row.dataset.played = v.playedAt ? 'true' : 'false';
  const played = part(row, '.episode-played');
  if (played) {
    played.dataset.played = row.dataset.played;
    setText(played, v.playedAt ? 'Played' : 'Unplayed');
  }
  applyButtons(row, v);
  setState(row, v.state);
}

const refetching = new Set();
const queuedPolls = new Map();
async function refetch(row) {
  const id = row.dataset.episodeId;
  if (refetching.has(id)) return;
  refetching.add(id);
  try {
    const res = await fetch(`/api/episodes/${encodeURIComponent(id)}`, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
    if (res.ok) applyView(row, (await res.json()).episode);
  } catch {
    // the next poll tries again
  } finally {
    refetching.delete(id);
  }
}

function rows() {
  return [...document.querySelectorAll('li.episode[data-episode-id]')];
}

async function poll() {
  const list = rows();
  if (list.length === 0) return;
  const res = await fetch('/api/status', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) return;
  const status = await res.json();
  const downloads = new Map(status.downloads.map((d) => [d.id, d]));
  const seeding = new Map(status.seeding.map((s) => [s.id, s]));
  for (const row of list) {
    const id = row.dataset.episodeId;
    const state = row.dataset.state;
    const d = downloads.get(id);
    const s = seeding.get(id);
    if (d) {
      applyDownload(row, d);
      continue;
    }
    if (state === 'downloading' || (state === 'seeding' && !s)) {
      // Finished, failed or stopped seeding: ask for the row's state.
      void refetch(row);
      continue;
    }
    if (state === 'queued') {
      // Still waiting for a slot (or dropped): look again now and then.
      const n = queuedPolls.get(id) ?? 0;
      queuedPolls.set(id, n + 1);
      if (n % 5 === 4) void refetch(row);
      continue;
    }
    if (s && (state === 'complete' || state === 'seeding')) {
      setState(row, 'seeding');
      const el = part(row, '.episode-seeding');
      setText(el, seedingText(s.ratio, s.uploaded));
      show(el, true);
      applyButtons(row, { state: 'seeding', playedAt: row.dataset.played === 'true' ? 'yes' : null });
    }
  }
}

let timer;
function schedule(delay = POLL_MS) {
  clearTimeout(timer);
  if (document.visibilityState !== 'visible' || rows().length === 0) return;
  timer = setTimeout(async () => {
    try {
      await poll();
    } catch {
      // offline for a moment: keep trying
    }
    schedule();
  }, delay);
}

function start() {
  // The page to come back to after an action (also when the browser sends no Referer).
  const here = `${location.pathname}${location.search}`;
  for (const form of document.querySelectorAll('form.episode-actions')) {
    let back = form.querySelector('input[name="back"]');
    if (!back) {
      back = document.createElement('input');
      back.type = 'hidden';
      back.name = 'back';
      form.append(back);
    }
    back.value = here;
  }
  document.addEventListener('submit', (event) => {
    const button = event.submitter;
    if (!(event.target instanceof HTMLFormElement) || !event.target.classList.contains('episode-actions'))
      return;
    if (button?.value !== 'delete') return;
    const row = event.target.closest('li.episode');
    const title = row ? titleOf(row) : 'this episode';
    if (
      !window.confirm(
        `Delete the downloaded file of “${title}”? It stays listed and can be downloaded again.`,
      )
    )
      event.preventDefault();
  });
  // Right away when the page shows (it may have been rendered a while ago), then every second.
  document.addEventListener('visibilitychange', () => schedule(0));
  schedule(0);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
