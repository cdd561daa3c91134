// The item page's moments (issue 18): the address's `#t=` (a media fragment: `#t=62.5`, `#t=1:02`,
// `#t=62.5,70`) seeks the player there when the page opens, and again when the fragment changes
// (a chapter link, a search hit followed on the same page), then plays. Nothing else is touched: the
// player script chooses the source; the seek waits for its metadata.
const seconds = (hash) => {
  const m = /(?:^#|&)t=(?:npt:)?([0-9:.]+)/.exec(hash);
  if (!m) return undefined;
  const parts = m[1].split(':').map(Number);
  if (parts.length > 3 || parts.some((p) => !Number.isFinite(p))) return undefined;
  return parts.reduce((total, p) => total * 60 + p, 0);
};

const seek = (play) => {
  const t = seconds(location.hash);
  const media = document.querySelector('#player video, #player audio');
  if (t === undefined || !media) return;
  const go = () => {
    media.currentTime = t;
    if (play) media.play().catch(() => undefined);
  };
  if (media.readyState >= 1) go();
  else media.addEventListener('loadedmetadata', go, { once: true });
};

seek(false);
addEventListener('hashchange', () => seek(true));
