// Seedcast's small page script (progressive enhancement: every page works without it).
// - [data-swarm-url]: polls the item's API every 10 s and updates the live swarm numbers, and the
//   archive box of a torrent-only item (the same words as src/site/archive-status.ts archiveLabel).
// - [data-copy]: a button that copies the text of the element it names.
(() => {
  function formatBytes(n) {
    const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
    let i = 0;
    let v = n;
    while (v >= 1000 && i < units.length - 1) {
      v /= 1000;
      i += 1;
    }
    return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
  }

  function archiveLabel(a) {
    if (a.state === 'waiting') return a.phase === 'queued' ? 'waiting for its turn' : 'waiting for peers';
    if (a.state === 'archiving') return `archiving ${Math.floor((a.progress || 0) * 100)}%`;
    if (a.state === 'failed') return `failed: ${(a.error || 'unknown reason').replace(/^archive: /, '')}`;
    return a.state;
  }

  function showArchive(a) {
    const box = document.getElementById('archive');
    if (!a || !box?.hasAttribute('data-archive-state')) return;
    box.setAttribute('data-archive-state', a.state);
    box.setAttribute('data-archive-phase', a.phase);
    const label = box.querySelector('[data-archive="label"]');
    if (label) label.textContent = archiveLabel(a);
    const bar = box.querySelector('[data-archive="progress"]');
    if (bar && typeof a.progress === 'number') bar.value = a.progress;
  }

  function startSwarm(box) {
    const url = box.getAttribute('data-swarm-url');
    const set = (name, text) => {
      const el = box.querySelector(`[data-swarm="${name}"]`);
      if (el && el.textContent !== text) el.textContent = text;
    };
    async function poll() {
      if (document.hidden) return;
      try {
        const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
        if (!res.ok) return;
        const item = await res.json();
        showArchive(item.archive);
        const s = item.swarm;
        if (!s) return;
        set('seeders', String(s.seeders));
        set('leechers', String(s.leechers));
        set('completed', String(s.completed));
        const bySite = s.served ? s.served.total : 0;
        const all = (s.completed || 0) * (item.length || 0);
        set('saved', formatBytes(Math.max(0, all - bySite)));
      } catch {
        // offline or the site is restarting: try again at the next tick
      }
    }
    setInterval(poll, 10_000);
  }

  function startCopy(button) {
    button.hidden = false;
    button.addEventListener('click', async () => {
      const target = document.getElementById(button.getAttribute('data-copy'));
      if (!target) return;
      const text = 'value' in target ? target.value : target.textContent;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = 'Copied';
      } catch {
        if (target.select) target.select();
      }
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    for (const box of document.querySelectorAll('[data-swarm-url]')) startSwarm(box);
    for (const button of document.querySelectorAll('[data-copy]')) startCopy(button);
  });
})();
