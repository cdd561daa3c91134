// The aggregator app's page script: progressive enhancement over plain forms and links. Each feature
// has its module (loaded from here): live progress, the player, forms and keyboard shortcuts.
import './app-progress.js';
import './app-player.js';
import './app-forms.js';
import './app-sharing.js';

// While any page of the app is open, even in a background tab, it says so every 20 s (the "seed only
// while the app is open" rule; pages with live rows poll more often anyway).
async function heartbeat() {
  await fetch('/api/status', { headers: { accept: 'application/json' }, cache: 'no-store' }).catch(
    () => undefined,
  );
}
heartbeat();
setInterval(heartbeat, 20_000);
