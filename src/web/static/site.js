// Seedcast's small page script (progressive enhancement: every page works without it).
// - [data-swarm-url]: polls the item's API every 10 s and updates the live swarm numbers, and the
//   archive box of a torrent-only item (the same words as src/publishing/archive-status.ts archiveLabel).
// - [data-copy]: a button that copies the text of the element it names.
// - #p2p-toggle: the viewer's choice of playing through the swarm, kept per browser in
//   localStorage['seedcast.p2p'] ('on' | 'off', over the server's data-p2p on #player unless
//   data-p2p-forced), announced to the player with a `seedcast:p2p` event ({ on }) on document.
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
        if (typeof s.saved === 'number') set('saved', formatBytes(s.saved));
        for (const [name, bytes] of Object.entries(item.traffic || {})) {
          const cell = box.querySelector(`[data-traffic="${name}"]`);
          const text = formatBytes(bytes);
          if (cell && cell.textContent !== text) cell.textContent = text;
        }
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

  const P2P_KEY = 'seedcast.p2p';

  function storedP2p() {
    try {
      const v = localStorage.getItem(P2P_KEY);
      return v === 'on' || v === 'off' ? v : undefined;
    } catch {
      return undefined; // storage blocked: the server's choice stands
    }
  }

  function startP2pToggle(toggle) {
    const player = document.getElementById('player');
    const forced = player?.getAttribute('data-p2p-forced') === '1';
    if (forced) return;
    const stored = storedP2p();
    if (stored) toggle.checked = stored === 'on';
    toggle.addEventListener('change', () => {
      const on = toggle.checked;
      try {
        localStorage.setItem(P2P_KEY, on ? 'on' : 'off');
      } catch {
        // storage blocked: this page still switches
      }
      document.dispatchEvent(new CustomEvent('seedcast:p2p', { detail: { on } }));
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    const toggle = document.getElementById('p2p-toggle');
    if (toggle) startP2pToggle(toggle);
    for (const box of document.querySelectorAll('[data-swarm-url]')) startSwarm(box);
    for (const button of document.querySelectorAll('[data-copy]')) startCopy(button);
  });
})();
