// Seedcast's small page script (progressive enhancement: every page works without it).
// - [data-swarm-url]: polls the item's API every 10 s and updates the live swarm numbers.
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
