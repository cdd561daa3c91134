// The aggregator app: forms and the shows list (issue 23). Every form works without this script
// (POST, then a redirect back); the script adds: a confirmation dialog before unsubscribing (instead
// of the confirmation page), "Finding the feed…" while an address is looked up, and the Shows page and
// a show's page kept current (titles, new episodes, errors, shows added or removed from the command
// line) from `GET /api/shows`.

/** The CSRF token the page carries, for requests the script makes. */
export const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

// Unsubscribe (and any form with data-confirm): ask first, then send the form confirmed.
for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (!form.querySelector('input[name="confirm"]')) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = 'confirm';
      input.value = 'yes';
      form.append(input);
    }
  });
}

/** Say what a slow form is doing, and keep it from being sent twice. */
function busyWhileSent(form, text) {
  if (!form) return;
  const button = form.querySelector('button[type="submit"]');
  let status = form.querySelector('[role="status"]');
  if (!status) {
    status = document.createElement('span');
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    button?.after(status);
  }
  form.addEventListener('submit', () => {
    status.textContent = text;
    // After the submission has started: a disabled button would not be sent.
    setTimeout(() => {
      if (button) {
        button.disabled = true;
        button.setAttribute('aria-busy', 'true');
      }
    });
  });
  // Back from the next page (the browser's page cache): usable again.
  window.addEventListener('pageshow', () => {
    status.textContent = '';
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
}

busyWhileSent(document.getElementById('add-show'), 'Finding the feed…');
busyWhileSent(document.getElementById('import-opml'), 'Importing…');
busyWhileSent(document.getElementById('refresh'), 'Checking the feed…');

/** "in 12 min" (as the pages say it). */
function untilText(iso) {
  const at = Date.parse(iso ?? '');
  const now = Date.now();
  if (Number.isNaN(at) || at <= now + 30_000) return 'now';
  const minutes = Math.round((at - now) / 60_000);
  if (minutes < 90) return `in ${Math.max(1, minutes)} min`;
  const hours = Math.round(minutes / 60);
  return hours < 36 ? `in ${hours} h` : `in ${Math.round(hours / 24)} days`;
}

async function fetchShows() {
  const res = await fetch('/api/shows', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()).shows;
}

function updateShowItem(li, show) {
  const link = li.querySelector('.show-title a');
  const title = show.title ?? link?.textContent ?? '';
  if (link && link.textContent !== title) link.textContent = title;
  const fresh = li.querySelector('.show-new');
  if (fresh) {
    fresh.dataset.count = String(show.newCount);
    fresh.textContent = show.newCount === 1 ? '1 new episode' : `${show.newCount} new episodes`;
  }
  const next = li.querySelector('.show-next');
  if (next)
    next.textContent = show.lastPolledAt ? `next check ${untilText(show.nextPollAt)}` : 'checking the feed…';
  li.dataset.polled = show.lastPolledAt ? 'true' : 'false';
  let error = li.querySelector('.show-error');
  if (show.error) {
    if (!error) {
      error = document.createElement('p');
      error.className = 'show-error';
      li.querySelector('.show-body')?.append(error);
    }
    error.textContent = `Feed error: ${show.error}`;
  } else error?.remove();
}

// The Shows page: kept current every few seconds while visible; a show added or removed elsewhere
// (the command line) reloads the list, unless the keyboard is in it.
const list = document.getElementById('shows') ?? document.getElementById('no-shows');
if (list) {
  const tick = async () => {
    if (document.visibilityState !== 'visible') return;
    let shows;
    try {
      shows = await fetchShows();
    } catch {
      return;
    }
    const items = [...document.querySelectorAll('#shows > li.show[data-show-id]')];
    const onPage = items.map((li) => li.dataset.showId).join(' ');
    const now = shows.map((s) => s.id).join(' ');
    if (onPage !== now) {
      if (!list.contains(document.activeElement)) window.location.reload();
      return;
    }
    for (const li of items)
      updateShowItem(
        li,
        shows.find((s) => s.id === li.dataset.showId),
      );
  };
  setInterval(tick, 4000);
}

// A show's page before its first poll: reloaded once the feed has been read (episodes, title, error).
const show = document.querySelector('#show[data-polled="false"]');
if (show) {
  const started = Date.now();
  const timer = setInterval(async () => {
    if (Date.now() - started > 120_000) clearInterval(timer);
    try {
      const res = await fetch(`/api/shows/${show.dataset.showId}`, {
        headers: { accept: 'application/json' },
      });
      if (!res.ok) return;
      if ((await res.json()).show.lastPolledAt) {
        clearInterval(timer);
        window.location.reload();
      }
    } catch {
      // try again on the next tick
    }
  }, 1500);
}
