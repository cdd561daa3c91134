// The aggregator app: the episode page's player (issue 23). It starts the player where the listener
// stopped (`data-position`), saves the position every 5 s while playing and on pause, seek and
// leaving the page (`fetch` with `keepalive`: `sendBeacon` cannot send the CSRF header), marks the
// episode played when it ends, makes the chapter buttons and the transcript's lines seek, and
// highlights the current chapter and caption line (`aria-current`).

/** The CSRF token the page carries, for requests the script makes. */
export const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

const SAVE_EVERY_MS = 5000;

function send(method, path, body) {
  return fetch(path, {
    method,
    keepalive: true,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch(() => undefined);
}

/** Marks the item of `items` (elements with `data-start`) that `time` falls in. */
function highlight(items, time) {
  let current;
  for (const item of items) if (Number(item.dataset.start) <= time + 0.25) current = item;
  for (const item of items) {
    if (item === current) item.setAttribute('aria-current', 'true');
    else item.removeAttribute('aria-current');
  }
}

function setUp(player) {
  const id = player.dataset.episodeId;
  const start = Number(player.dataset.position ?? 0);
  let lastSaved = start;
  let lastSaveAt = 0;

  const save = (force) => {
    const seconds = player.currentTime;
    if (!Number.isFinite(seconds) || player.ended) return;
    if (!force && Math.abs(seconds - lastSaved) < 1) return;
    lastSaved = seconds;
    lastSaveAt = Date.now();
    player.dataset.savedPosition = String(Math.round(seconds * 10) / 10);
    send('PUT', `/api/episodes/${id}/position`, { seconds });
  };

  if (start > 0) {
    const restore = () => {
      if (player.currentTime < 0.5) player.currentTime = start;
    };
    if (player.readyState >= 1) restore();
    else player.addEventListener('loadedmetadata', restore, { once: true });
  }

  const chapterItems = [...document.querySelectorAll('#chapters li[data-start]')];
  const cueItems = [...document.querySelectorAll('#transcript p[data-start]')];
  const seekTo = (seconds) => {
    player.currentTime = seconds;
    if (player.paused) player.play().catch(() => undefined);
    save(true);
  };
  for (const button of document.querySelectorAll('#chapters button[data-start]'))
    button.addEventListener('click', () => seekTo(Number(button.dataset.start)));
  for (const line of cueItems) {
    line.tabIndex = 0;
    line.classList.add('seekable');
    line.title = 'Play from here';
    line.addEventListener('click', () => seekTo(Number(line.dataset.start)));
    line.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        seekTo(Number(line.dataset.start));
      }
    });
  }

  player.addEventListener('timeupdate', () => {
    highlight(chapterItems, player.currentTime);
    highlight(cueItems, player.currentTime);
    if (!player.paused && Date.now() - lastSaveAt >= SAVE_EVERY_MS) save(true);
  });
  player.addEventListener('pause', () => save(true));
  player.addEventListener('seeked', () => save(false));
  player.addEventListener('ended', () => {
    lastSaved = 0;
    player.dataset.savedPosition = '0';
    send('POST', `/api/episodes/${id}/played`);
  });
  window.addEventListener('pagehide', () => save(true));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') save(true);
  });
}

const player = document.querySelector('#player[data-episode-id]');
if (player) setUp(player);
