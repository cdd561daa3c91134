/**
 * The processing notice (part of `/static/player.js`): while `#processing[data-state]` says
 * `queued` or `running`, polls `GET /api/v1/items/:id` (`data-poll-url`) every few seconds and
 * writes the progress into the notice (`role="status"`, so screen readers hear it). When processing
 * is done the page is reloaded so the player lists the new sources, unless something is playing:
 * then the notice offers a link to reload. When it failed the notice shows the error and keeps the
 * original's download link.
 */

interface Processing {
  state: 'queued' | 'running' | 'done' | 'failed';
  progress?: number;
  error?: string;
}

const POLL_MS = 3000;

/** The notice's text (the same words as the page's `processingText`). */
export function noticeText(p: Processing): string {
  if (p.state === 'failed') return `Processing failed: ${p.error ?? 'unknown error'}.`;
  if (p.state === 'done') return 'Processing done: a version that plays in your browser is ready.';
  return `Processing: making a version that plays in your browser… ${Math.floor((p.progress ?? 0) * 100)}%`;
}

function isProcessing(x: unknown): x is Processing {
  const p = x as Processing | null;
  return (
    typeof p === 'object' && p !== null && ['queued', 'running', 'done', 'failed'].includes(String(p.state))
  );
}

/** Watches the notice, if the page has one still working; nothing happens at import. */
export function watchProcessing(options: { pollMs?: number } = {}): void {
  const notice = document.getElementById('processing');
  const url = notice?.dataset.pollUrl;
  if (!notice || !url) return;
  if (notice.dataset.state !== 'queued' && notice.dataset.state !== 'running') return;
  const text = notice.querySelector<HTMLElement>('[data-processing="text"]');
  const bar = notice.querySelector<HTMLProgressElement>('[data-processing="progress"]');
  const show = (p: Processing) => {
    notice.dataset.state = p.state;
    if (text) text.textContent = noticeText(p);
    if (bar) {
      bar.value = p.progress ?? 0;
      bar.textContent = `${Math.floor((p.progress ?? 0) * 100)}%`;
      if (p.state === 'failed' || p.state === 'done') bar.remove();
    }
  };
  const done = () => {
    const media = document.querySelector<HTMLMediaElement>('#player video, #player audio');
    if (media && !media.paused) {
      const link = document.createElement('a');
      link.href = location.href;
      link.textContent = 'Reload to play it';
      text?.after(' ', link);
      return;
    }
    location.reload();
  };
  const poll = async () => {
    let answer: unknown;
    try {
      const response = await fetch(url, { cache: 'no-store', headers: { accept: 'application/json' } });
      if (response.ok) answer = ((await response.json()) as { processing?: unknown }).processing;
    } catch {
      // the network blinked: try again at the next tick
    }
    if (isProcessing(answer)) {
      show(answer);
      if (answer.state === 'done') return done();
      if (answer.state === 'failed') {
        notice.classList.add('failed');
        return;
      }
    }
    setTimeout(() => void poll(), options.pollMs ?? POLL_MS);
  };
  setTimeout(() => void poll(), options.pollMs ?? POLL_MS);
}
