/**
 * The item page's source chooser (part of `/static/player.js`): reads the `<source>`s the page
 * lists best first (`src/web/pages/player-media.tsx`: web derivatives, highest rung first, then the
 * original; `data-label`, `data-origin`), keeps those `canPlayType` accepts, points the element at
 * the first, and offers the rest in the quality menu (`#quality-select`), switching keeps the
 * position and whether it was playing. A media `error`, or a video that runs with no picture (a
 * codec the browser demuxes but cannot decode, such as HEVC in Chromium), moves to the next source;
 * when none is left, or none could play at all, `#player-message` (with the original's download
 * link) is shown. Listeners of `seedcast:source` on the container learn each switch (the P2P player
 * then streams the new source from its swarm: the item's torrent or its derivatives torrent).
 */

export interface Source {
  url: string;
  type: string;
  label: string;
  origin: 'original' | 'derivative';
}

export interface Chooser {
  /** The source playing now (undefined when nothing can play). */
  current(): Source | undefined;
  /** Every source this browser may play, best first. */
  playable(): Source[];
}

/** The sources a browser may play, in the page's order (`canPlayType` not empty). */
export function playableSources(sources: readonly Source[], canPlay: (type: string) => string): Source[] {
  return sources.filter((s) => s.type === '' || canPlay(s.type) !== '');
}

function readSources(media: HTMLMediaElement): Source[] {
  return Array.from(media.querySelectorAll('source')).map((s) => ({
    url: s.src,
    type: s.type,
    label: s.dataset.label || 'original',
    origin: s.dataset.origin === 'derivative' ? 'derivative' : 'original',
  }));
}

/** Starts choosing for the page's media element; nothing happens at import. */
export function chooseSources(container: HTMLElement, media: HTMLMediaElement): Chooser {
  const all = readSources(media);
  const playable = playableSources(all, (t) => media.canPlayType(t));
  const failed = new Set<string>();
  const message = container.querySelector<HTMLElement>('#player-message');
  const menu = container.querySelector<HTMLElement>('#player-quality');
  const select = menu?.querySelector<HTMLSelectElement>('select') ?? null;
  let current: Source | undefined;
  /** Where the current source started: its picture is judged after 1.5 s of its own playing. */
  let since = 0;

  const giveUp = (why: string) => {
    current = undefined;
    container.dataset.playable = 'no';
    container.dataset.playableWhy = why;
    if (message) message.hidden = false;
    if (menu) menu.hidden = true;
    container.dispatchEvent(new CustomEvent('seedcast:source', { detail: { source: undefined } }));
  };

  const use = (source: Source, keep: boolean) => {
    const at = keep ? media.currentTime : 0;
    const playing = keep && !media.paused;
    current = source;
    since = at;
    container.dataset.source = source.label;
    for (const s of Array.from(media.querySelectorAll('source'))) s.remove();
    if (media.preload === 'none' && source.origin === 'derivative') media.preload = 'metadata';
    media.src = source.url; // runs the element's load algorithm
    if (at > 0) {
      const seek = () => {
        media.currentTime = at;
      };
      media.addEventListener('loadedmetadata', seek, { once: true });
    }
    if (playing) void media.play().catch(() => undefined);
    if (select) select.value = String(playable.indexOf(source));
    container.dispatchEvent(new CustomEvent('seedcast:source', { detail: { source } }));
  };

  const next = (why: string) => {
    if (current) failed.add(current.url);
    const candidate = playable.find((s) => !failed.has(s.url));
    if (candidate) {
      // the next one picks up where this one stopped, and plays if this one was asked to
      const wasPlaying = !media.paused || media.autoplay;
      use(candidate, true);
      if (wasPlaying) void media.play().catch(() => undefined);
    } else giveUp(why);
  };

  if (playable.length === 0) {
    giveUp('no source this browser can play');
    return { current: () => undefined, playable: () => [] };
  }

  if (select && menu && playable.length > 1) {
    select.replaceChildren(
      ...playable.map((s, i) => {
        const option = document.createElement('option');
        option.value = String(i);
        option.textContent = s.label;
        return option;
      }),
    );
    menu.hidden = false;
    select.addEventListener('change', () => {
      const chosen = playable[Number(select.value)];
      if (chosen && chosen !== current) use(chosen, true);
    });
  }

  media.addEventListener('error', () => {
    // the P2P stream's own failures are the P2P player's (it falls back to HTTP itself)
    if (!current || !media.currentSrc.startsWith(current.url)) return;
    next(`${current.label}: error ${media.error?.code ?? '?'}`);
  });
  if (media instanceof HTMLVideoElement) {
    // a picture the browser cannot decode: the time runs (sound plays) and no frame is shown
    media.addEventListener('timeupdate', () => {
      if (!current || media.readyState < 2 || media.currentTime - since < 1.5) return;
      const frames = media.getVideoPlaybackQuality?.().totalVideoFrames;
      if (media.videoWidth === 0 || frames === 0) next(`${current.label}: no picture`);
    });
  }
  use(playable[0]!, false);
  return { current: () => current, playable: () => playable.slice() };
}
