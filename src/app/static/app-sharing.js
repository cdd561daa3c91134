// The aggregator app: the Sharing page's live upload rate (issue 23). It polls /api/status, which
// also tells the app a page is open (the "seed only while the app is open" setting).

const rate = document.getElementById('upload-rate');

function formatRate(n) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = Math.round(n);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}/s`;
}

async function poll() {
  try {
    const res = await fetch('/api/status', { headers: { accept: 'application/json' } });
    if (res.ok) {
      const status = await res.json();
      rate.textContent = formatRate(status.uploadRate ?? 0);
    }
  } catch {
    // the app stopped: the figure stays as it was
  }
}

if (rate) {
  void poll();
  setInterval(poll, 2000);
}
