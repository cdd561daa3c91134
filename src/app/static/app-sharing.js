// The aggregator app: the Sharing page's live upload rate (issue 23). It polls /api/status, which
// also tells the app a page is open (the "seed only while the app is open" setting).

import { rateText } from './app-format.js';

const rate = document.getElementById('upload-rate');

async function poll() {
  try {
    const res = await fetch('/api/status', { headers: { accept: 'application/json' } });
    if (res.ok) {
      const status = await res.json();
      rate.textContent = rateText(status.uploadRate);
    }
  } catch {
    // the app stopped: the figure stays as it was
  }
}

if (rate) {
  void poll();
  setInterval(poll, 2000);
}
